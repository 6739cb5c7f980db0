/**
 * The platform's HTTP front door (probe-runtime/contracts/http-invoke.ts), on
 * 127.0.0.1 only:
 *   POST <endpoint>/invoke/<functionKey>          body: ProbeRequest → 200 ProbeResponse, 429, 4xx/5xx {error}
 *   GET  <endpoint>/net/<hostToken>/download?bytes=N   the net task's download source
 *   POST <endpoint>/net/<hostToken>/upload             the net task's upload sink
 *
 * `<endpoint>` is `http://127.0.0.1:<port>/<random token>`: loopback keeps other
 * machines out, and the unguessable path keeps other local users' processes from
 * invoking the probes (the clouds' equivalent is "invocable by the driver only").
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LOCAL_MAX_PAYLOAD_BYTES } from '../../experiments/capabilities';
import { PAYLOAD_ENVELOPE_BYTES } from '../../experiments/payload';
import type { HostBandwidth } from '../net/host-bandwidth';
import { serveDownload, serveUpload } from '../net/net-endpoint';

export interface HttpReply {
  status: number;
  body: unknown;
}

export interface FrontDoorHandlers {
  invoke(functionKey: string, body: unknown): Promise<HttpReply>;
  netLink(hostToken: string): HostBandwidth | null;
}

export interface FrontDoor {
  /** Base URL: the driver appends `/invoke/<functionKey>`. */
  endpoint: string;
  close(): Promise<void>;
}

/** A request's JSON plus the largest payload padding the local platform accepts (capability table). */
const MAX_BODY_BYTES = LOCAL_MAX_PAYLOAD_BYTES.request + PAYLOAD_ENVELOPE_BYTES;

export async function startFrontDoor(handlers: FrontDoorHandlers): Promise<FrontDoor> {
  const token = randomBytes(12).toString('hex');
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res, token, handlers).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: `local platform error: ${error instanceof Error ? error.message : String(error)}` });
      else res.destroy();
    });
  });
  // Bursts open hundreds of fresh connections at once, as the paper's driver did.
  server.maxConnections = 10_000;
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 0; // a request may legitimately wait in a queue up to the function timeout
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, token: string, handlers: FrontDoorHandlers): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== token) return json(res, 404, { error: 'not found' });
  const [, kind, name, action] = parts;

  if (kind === 'invoke' && name && parts.length === 3) {
    if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
    const body = await readJson(req);
    if (!body.ok) return json(res, body.status, { error: body.error });
    const reply = await handlers.invoke(name, body.value);
    return json(res, reply.status, reply.body);
  }
  if (kind === 'net' && name && parts.length === 4) {
    const link = handlers.netLink(name);
    if (!link) return json(res, 404, { error: 'unknown net endpoint' });
    if (action === 'download' && req.method === 'GET') return serveDownload(url, link, res);
    if (action === 'upload' && req.method === 'POST') return serveUpload(req, link, res);
  }
  return json(res, 404, { error: 'not found' });
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, error: `request body over ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch (error) {
    return { ok: false, status: 400, error: `request body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
