/**
 * Connections opened just before a burst, one per fresh-connection request of
 * its first wave, so that the requests themselves leave the driver together.
 *
 * Opening a connection costs tens of microseconds of CPU in Node (more with
 * TLS), so a loop that connects and sends 100 requests spreads them over
 * several milliseconds; writing 100 requests on sockets connected beforehand
 * takes about one. Each socket is still fresh (used by exactly one request and
 * closed after its answer), as the paper's driver did; only the connection
 * set-up moves before the send timestamp. docs/results-schema.md says so.
 */
import net from 'node:net';
import tls from 'node:tls';

/** A target that cannot be reached within this is left to connect on demand (and fail there, as a record). */
const CONNECT_TIMEOUT_MS = 5_000;

export class PreconnectedSockets {
  private readonly pools = new Map<string, net.Socket[]>();

  /** Open `count` connections to `url`; failures are dropped silently (the request connects on demand). */
  async open(url: URL, count: number): Promise<void> {
    const key = url.origin;
    const opened = await Promise.all(Array.from({ length: count }, () => connect(url)));
    const pool = this.pools.get(key) ?? [];
    for (const socket of opened) {
      if (!socket) continue;
      // A socket the peer closes while waiting is useless: forget it.
      socket.once('close', () => remove(pool, socket));
      pool.push(socket);
    }
    this.pools.set(key, pool);
  }

  /** A connected socket to `url`'s origin that no request has used, or undefined. */
  take(url: URL): net.Socket | undefined {
    const pool = this.pools.get(url.origin);
    while (pool && pool.length > 0) {
      const socket = pool.pop()!;
      if (!socket.destroyed && socket.writable) return socket;
    }
    return undefined;
  }

  /** Close every socket no request took. */
  release(): void {
    for (const pool of this.pools.values()) for (const socket of pool.splice(0)) socket.destroy();
    this.pools.clear();
  }
}

function remove(pool: net.Socket[], socket: net.Socket): void {
  const at = pool.indexOf(socket);
  if (at >= 0) pool.splice(at, 1);
}

function connect(url: URL): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (ok) resolve(socket);
      else {
        socket.destroy();
        resolve(null);
      }
    };
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), CONNECT_TIMEOUT_MS);
    socket.once('error', onError);
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => done(true));
  });
}
