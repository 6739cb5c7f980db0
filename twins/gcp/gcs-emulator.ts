/**
 * A loopback Cloud Storage JSON API (https://cloud.google.com/storage/docs/json_api/v1,
 * read 2026-12-06), as much of it as the driver's sink (media upload,
 * `alt=media` download) and `curtain fetch --provider gcp` (objects.list with
 * prefix, delimiter and page tokens; downloads) use: the driver reaches it
 * through STORAGE_EMULATOR_HOST, the standard override of Google's storage
 * clients; fetch through its `--endpoint`. Objects live in memory for the run.
 *
 * Every request carries an OAuth access token and is decided before it is
 * served (`authorize`): GCS's permissions per method (objects.insert needs
 * storage.objects.create, and storage.objects.delete too when it replaces an
 * object; get needs storage.objects.get; list storage.objects.list on the
 * bucket). Answers: 401 without a valid token, 403 with Google's error body
 * when denied, 404 for an unknown bucket or object.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GcpResource } from './gcp-iam';

export type GcsDecision = { allowed: true } | { allowed: false; status: 401 | 403; message: string };

export interface GcsEmulatorOptions {
  /** Buckets that exist (the stack's), with the project that owns them. */
  buckets: readonly { name: string; project: string }[];
  authorize(authorization: string | undefined, permission: string, resource: GcpResource): GcsDecision;
  /** Largest page of a list (GCS: 1000). */
  maxPage?: number;
}

interface StoredObject {
  data: Buffer;
  contentType: string;
  generation: number;
  updated: string;
}

export interface GcsEmulator {
  /** The API root (scheme, host and port), the value of STORAGE_EMULATOR_HOST. */
  endpoint: string;
  /** Object names of a bucket, sorted. */
  names(bucket: string): string[];
  close(): Promise<void>;
}

const jsonError = (res: http.ServerResponse, code: number, message: string) => {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason: code === 403 ? 'forbidden' : code === 404 ? 'notFound' : code === 401 ? 'required' : 'invalid' }] } }));
};

export async function startGcsEmulator(options: GcsEmulatorOptions): Promise<GcsEmulator> {
  const store = new Map(options.buckets.map((b) => [b.name, { project: b.project, objects: new Map<string, StoredObject>() }]));
  let generation = Date.now() * 1000;
  const maxPage = options.maxPage ?? 1000;
  const resourceOf = (bucket: string, name: string, b: StoredObject) => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/${b.generation}`,
    name,
    bucket,
    generation: String(b.generation),
    contentType: b.contentType,
    size: String(b.data.length),
    updated: b.updated,
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gcs');
      const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
      const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
      const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
      const bucketName = decodeURIComponent((upload ?? list ?? object)?.[1] ?? '');
      const bucket = store.get(bucketName);
      if (!upload && !list && !object) return jsonError(res, 404, `Not Found: ${url.pathname}`);
      if (!bucket) return jsonError(res, 404, 'The specified bucket does not exist.');
      const decide = (permission: string, resource: GcpResource) => {
        const decision = options.authorize(req.headers.authorization, permission, resource);
        if (!decision.allowed) jsonError(res, decision.status, decision.message);
        return decision.allowed;
      };
      const objectResource = (name: string): GcpResource => ({ kind: 'object', project: bucket.project, bucket: bucketName, object: name });

      if (upload && req.method === 'POST') {
        if (url.searchParams.get('uploadType') !== 'media') return jsonError(res, 400, `uploadType ${url.searchParams.get('uploadType')} is not served by the twin (media only)`);
        const name = url.searchParams.get('name');
        if (!name) return jsonError(res, 400, 'Required parameter: name');
        if (!decide('storage.objects.create', objectResource(name))) return;
        if (bucket.objects.has(name) && !decide('storage.objects.delete', objectResource(name))) return;
        generation += 1;
        const stored = { data: Buffer.concat(chunks), contentType: req.headers['content-type'] ?? 'application/octet-stream', generation, updated: new Date().toISOString() };
        bucket.objects.set(name, stored);
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return res.end(JSON.stringify(resourceOf(bucketName, name, stored)));
      }
      if (list && req.method === 'GET') {
        if (!decide('storage.objects.list', { kind: 'bucket', project: bucket.project, bucket: bucketName })) return;
        const prefix = url.searchParams.get('prefix') ?? '';
        const delimiter = url.searchParams.get('delimiter');
        const size = Math.min(maxPage, Number(url.searchParams.get('maxResults') ?? maxPage) || maxPage);
        const after = url.searchParams.get('pageToken') ? Buffer.from(url.searchParams.get('pageToken')!, 'base64url').toString('utf8') : '';
        // One entry per object, or per common prefix when a delimiter folds names, in name order.
        const entries: { sortKey: string; item?: string; prefix?: string }[] = [];
        const seen = new Set<string>();
        for (const name of [...bucket.objects.keys()].sort()) {
          if (!name.startsWith(prefix)) continue;
          const rest = name.slice(prefix.length);
          const cut = delimiter ? rest.indexOf(delimiter) : -1;
          if (cut >= 0) {
            const p = prefix + rest.slice(0, cut + delimiter!.length);
            if (!seen.has(p)) entries.push({ sortKey: p, prefix: p });
            seen.add(p);
          } else entries.push({ sortKey: name, item: name });
        }
        const remaining = entries.filter((e) => e.sortKey > after);
        const page = remaining.slice(0, size);
        const body: Record<string, unknown> = { kind: 'storage#objects' };
        const items = page.filter((e) => e.item !== undefined).map((e) => resourceOf(bucketName, e.item!, bucket.objects.get(e.item!)!));
        const prefixes = page.filter((e) => e.prefix !== undefined).map((e) => e.prefix!);
        if (items.length > 0) body.items = items;
        if (prefixes.length > 0) body.prefixes = prefixes;
        if (remaining.length > size) body.nextPageToken = Buffer.from(page.at(-1)!.sortKey).toString('base64url');
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return res.end(JSON.stringify(body));
      }
      if (object && (req.method === 'GET' || req.method === 'DELETE')) {
        const name = decodeURIComponent(object[2]!);
        if (!decide(req.method === 'GET' ? 'storage.objects.get' : 'storage.objects.delete', objectResource(name))) return;
        const stored = bucket.objects.get(name);
        if (!stored) return jsonError(res, 404, `No such object: ${bucketName}/${name}`);
        if (req.method === 'DELETE') {
          bucket.objects.delete(name);
          res.writeHead(204);
          return res.end();
        }
        if (url.searchParams.get('alt') === 'media') {
          res.writeHead(200, { 'content-type': stored.contentType, 'x-goog-generation': String(stored.generation) });
          return res.end(stored.data);
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return res.end(JSON.stringify(resourceOf(bucketName, name, stored)));
      }
      return jsonError(res, 405, `${req.method} ${url.pathname} is not served by the twin`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    names: (bucket) => [...(store.get(bucket)?.objects.keys() ?? [])].sort(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
