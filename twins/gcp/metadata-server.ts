/**
 * A loopback metadata server per service account: what a Cloud Functions
 * instance reaches at metadata.google.internal, and what Google's client
 * libraries (and the driver, probe-runtime/driver/net/gcp-metadata.ts) reach
 * instead when GCE_METADATA_HOST names it. It answers the instance's
 * service-account paths (https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys,
 * read 2026-12-06): `identity?audience=` (an ID token), `token` (an access
 * token) and `email`, and refuses a request without `Metadata-Flavor: Google`
 * with 403, as the real one does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenAuthority } from './token-authority';

export interface MetadataServer {
  /** host:port, the value of GCE_METADATA_HOST. */
  host: string;
  close(): Promise<void>;
}

export async function startMetadataServer(authority: TokenAuthority, email: string): Promise<MetadataServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    const send = (status: number, body: string, type = 'application/text') => {
      res.writeHead(status, { 'content-type': type, 'metadata-flavor': 'Google' });
      res.end(body);
    };
    if (req.headers['metadata-flavor'] !== 'Google') return send(403, 'Missing required header "Metadata-Flavor": "Google"');
    const m = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/(identity|token|email)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m || (m[1] !== 'default' && decodeURIComponent(m[1]!) !== email)) return send(404, 'Not Found');
    switch (m[2]) {
      case 'identity': {
        const audience = url.searchParams.get('audience');
        if (!audience) return send(400, 'non-empty audience parameter required');
        return send(200, authority.idToken(email, audience));
      }
      case 'token':
        return send(200, JSON.stringify({ access_token: authority.accessToken(email), expires_in: 3599, token_type: 'Bearer' }), 'application/json');
      default:
        return send(200, email);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
