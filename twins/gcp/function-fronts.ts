/**
 * The Google twin's Cloud Run front ends: one loopback listener per function,
 * its URL the function's `url` (Google: https://<service>-<hash>.<region>.run.app),
 * which accepts a call only as Cloud Run does for a private service
 * (https://cloud.google.com/run/docs/authenticating/service-to-service, read
 * 2026-12-06): an ID token signed by Google whose audience is the service URL
 * (401 otherwise), from a member granted run.routes.invoke on the service
 * (403 otherwise). The body is then the function's request; the answer is the
 * function's status and JSON body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GcpCallLog } from './gcp-iam';
import type { TokenAuthority } from './token-authority';

export interface FunctionReply {
  status: number;
  body: unknown;
}

export interface FrontTarget {
  name: string;
  project: string;
  url: string;
  invoke(body: unknown): Promise<FunctionReply>;
}

export interface FunctionFronts {
  /** The URL each function is served at, by name (known before the stack is read). */
  readonly urls: ReadonlyMap<string, string>;
  /** Connects a function to its front (once the stack is read and its backend runs). */
  attach(target: FrontTarget): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function startFunctionFronts(names: readonly string[], authority: TokenAuthority, calls: GcpCallLog | (() => GcpCallLog)): Promise<FunctionFronts> {
  const targets = new Map<string, FrontTarget>();
  const servers: http.Server[] = [];
  const urls = new Map<string, string>();
  const log = () => (typeof calls === 'function' ? calls() : calls);
  for (const name of names) {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        void serve(name, req, Buffer.concat(chunks), size > MAX_BODY_BYTES).then(
          (reply) => {
            res.writeHead(reply.status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(reply.body));
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
          },
        );
      });
    });
    // A shard's requests can take the function's whole timeout: no server-side idle cut.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.set(name, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async function serve(name: string, req: http.IncomingMessage, raw: Buffer, tooLarge: boolean): Promise<FunctionReply> {
    const target = targets.get(name);
    if (!target) return { status: 503, body: { error: `${name} is not deployed yet` } };
    const token = authority.checkIdToken(req.headers.authorization, target.url);
    if (!token.ok) {
      log().calls.push({ identity: 'unauthenticated', member: 'allUsers', permission: 'run.routes.invoke', resource: `projects/${target.project}/locations/-/services/${name}`, allowed: false, at: new Date().toISOString() });
      return { status: 401, body: { error: `Unauthorized: ${token.reason}` } };
    }
    if (!log().authorize(token.email, 'run.routes.invoke', { kind: 'service', project: target.project, name })) {
      return { status: 403, body: { error: 'Forbidden: Your client does not have permission to get URL / from this server.' } };
    }
    if (tooLarge) return { status: 413, body: { error: 'request too large' } };
    let body: unknown;
    try {
      body = raw.length === 0 ? null : JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.toString('utf8');
    }
    return target.invoke(body);
  }

  return {
    urls,
    attach: (target) => void targets.set(target.name, target),
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
