/**
 * A loopback HTTP server standing in for probes behind the local platform's
 * front door (POST /invoke/<functionKey>). Each request's fate is decided by a
 * behaviour function, so tests inject errors, throttling, hangs, invalid bodies
 * and crashes, and the server records what it received (to count attempts,
 * concurrency and connections).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ProbeRequest } from '../../../../probe-runtime/contracts/probe-wire';
import { fakeProbeResponse } from './probe-fixture';

export type Behaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'body'; body: string }
  | { kind: 'hang' }
  | { kind: 'crash' };

export interface Arrival {
  request: ProbeRequest;
  functionKey: string;
  /** performance.timeOrigin + performance.now() when the body was complete. */
  at: number;
  socketId: number;
  /** performance.timeOrigin + performance.now() when the server accepted the request's connection. */
  connectedAt: number;
  connectionHeader: string | undefined;
  headers: http.IncomingHttpHeaders;
}

export interface FakeProbeServer {
  endpoint: string;
  arrivals: Arrival[];
  maxInFlight: number;
  /** Connections open right now. */
  openConnections(): number;
  /** Stop listening and drop every open connection (a platform dying mid-burst). */
  crash(): void;
  close(): Promise<void>;
}

export async function startFakeProbeServer(behave: (request: ProbeRequest, arrivalIndex: number) => Behaviour = () => ({ kind: 'ok' })): Promise<FakeProbeServer> {
  const arrivals: Arrival[] = [];
  const sockets = new Set<Socket>();
  const socketIds = new WeakMap<Socket, number>();
  const connectedAt = new WeakMap<Socket, number>();
  let nextSocket = 0;
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const request = ProbeRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const functionKey = decodeURIComponent((req.url ?? '').replace(/^\/invoke\//, ''));
      arrivals.push({ request, functionKey, at, socketId: socketIds.get(req.socket)!, connectedAt: connectedAt.get(req.socket)!, connectionHeader: req.headers.connection, headers: req.headers });
      inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const done = () => {
        inFlight -= 1;
      };
      const behaviour = behave(request, arrivals.length - 1);
      switch (behaviour.kind) {
        case 'ok': {
          const answer = () => {
            done();
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fakeProbeResponse(request)));
          };
          if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
          else answer();
          return;
        }
        case 'status':
          done();
          res.writeHead(behaviour.status, behaviour.headers ?? {}).end(behaviour.body ?? '');
          return;
        case 'body':
          done();
          res.writeHead(200, { 'content-type': 'application/json' }).end(behaviour.body);
          return;
        case 'hang':
          res.on('close', done);
          return;
        case 'crash':
          done();
          // Headers out, then the connection dies: a probe process crashing mid-answer.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"v":1,"probe":');
          setImmediate(() => req.socket.destroy());
          return;
      }
    });
  });
  server.on('connection', (socket) => {
    socketIds.set(socket, nextSocket++);
    connectedAt.set(socket, performance.timeOrigin + performance.now());
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const destroyAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arrivals,
    get maxInFlight() {
      return state.maxInFlight;
    },
    openConnections: () => sockets.size,
    crash() {
      server.close();
      destroyAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
