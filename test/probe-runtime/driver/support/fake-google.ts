/**
 * Loopback stand-ins for the Google metadata server and the GCS JSON API
 * (upload and download endpoints only). No GCS emulator can be installed on
 * these machines, so the GCS sink is tested against this protocol fake.
 */
import { json, type LoopbackServer, startLoopbackServer } from './loopback-server';

/** A syntactically real JWT whose payload carries `exp` (no signature check happens on our side). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const PREFIX = '/computeMetadata/v1/instance/service-accounts/default/';

export function startFakeMetadataServer(): Promise<LoopbackServer> {
  let issued = 0;
  return startLoopbackServer((req, res) => {
    if (req.headers['metadata-flavor'] !== 'Google') return json(res, 403, { error: 'missing Metadata-Flavor' });
    if (req.url.pathname === `${PREFIX}token`) return json(res, 200, { access_token: `access-${++issued}`, expires_in: 3599, token_type: 'Bearer' });
    if (req.url.pathname === `${PREFIX}identity`) {
      const audience = req.url.searchParams.get('audience');
      res.writeHead(200, { 'content-type': 'text/html' }).end(fakeJwt({ aud: audience, exp: Math.floor(Date.now() / 1000) + 3600, n: ++issued }));
      return;
    }
    json(res, 404, { error: 'not found' });
  });
}

/** Objects by `<bucket>/<name>`; uploads and downloads require `Bearer access-*`. */
export function startFakeGcs(objects = new Map<string, string>()): Promise<LoopbackServer & { objects: Map<string, string> }> {
  return startLoopbackServer((req, res) => {
    if (!/^Bearer access-\d+$/.test(req.headers.authorization ?? '')) return json(res, 401, { error: { code: 401, message: 'Invalid Credentials' } });
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(req.url.pathname);
    if (req.method === 'POST' && upload && req.url.searchParams.get('uploadType') === 'media') {
      const name = req.url.searchParams.get('name')!;
      objects.set(`${decodeURIComponent(upload[1]!)}/${name}`, req.body);
      return json(res, 200, { kind: 'storage#object', name, bucket: upload[1], size: String(Buffer.byteLength(req.body)), contentType: req.headers['content-type'] });
    }
    const download = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(req.url.pathname);
    if (req.method === 'GET' && download && req.url.searchParams.get('alt') === 'media') {
      const body = objects.get(`${decodeURIComponent(download[1]!)}/${decodeURIComponent(download[2]!)}`);
      if (body === undefined) return json(res, 404, { error: { code: 404, message: 'No such object' } });
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      return;
    }
    json(res, 400, { error: { code: 400, message: `unsupported ${req.method} ${req.url.pathname}` } });
  }).then((server) => Object.assign(server, { objects }));
}
