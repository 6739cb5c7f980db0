/** A tiny loopback HTTP server for protocol fakes (GCS, the metadata server, the Lambda Invoke API). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Route = (req: SeenRequest, res: http.ServerResponse) => void;

export interface LoopbackServer {
  origin: string;
  host: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startLoopbackServer(route: Route): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method!, url: new URL(req.url!, 'http://loopback'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      route(entry, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
