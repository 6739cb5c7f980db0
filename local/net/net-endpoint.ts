/**
 * The throughput endpoint of the net task on the local platform (the clouds use
 * a presigned object URL). The platform fills a request's `task.url` with
 *   <front door>/net/<host token>/download?bytes=N   or   .../upload
 * where the host token is an opaque random string, so a probe cannot learn its
 * host from the URL; the host's bandwidth is shared by its instances.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NET_CHUNK_BYTES, type HostBandwidth } from './host-bandwidth';

const MAX_TRANSFER_BYTES = 1024 * 1024 * 1024;
const ZEROS = Buffer.alloc(NET_CHUNK_BYTES);

export function netTaskUrl(endpoint: string, hostToken: string, direction: 'download' | 'upload', megabytes: number): string {
  const base = `${endpoint}/net/${hostToken}/${direction}`;
  return direction === 'download' ? `${base}?bytes=${megabytes * 1024 * 1024}` : base;
}

export async function serveDownload(url: URL, link: HostBandwidth, res: ServerResponse): Promise<void> {
  const bytes = Number(url.searchParams.get('bytes'));
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_TRANSFER_BYTES) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bytes: expected an integer 0..${MAX_TRANSFER_BYTES}` }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
  let sent = 0;
  while (sent < bytes && !res.destroyed) {
    const n = Math.min(NET_CHUNK_BYTES, bytes - sent);
    await link.transmit(n);
    const ok = res.write(n === NET_CHUNK_BYTES ? ZEROS : ZEROS.subarray(0, n));
    sent += n;
    if (!ok) await drainedOrClosed(res);
  }
  res.end();
}

export async function serveUpload(req: IncomingMessage, link: HostBandwidth, res: ServerResponse): Promise<void> {
  let received = 0;
  for await (const chunk of req) {
    received += (chunk as Buffer).length;
    if (received > MAX_TRANSFER_BYTES) {
      res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upload too large' }));
      req.destroy();
      return;
    }
    await link.transmit((chunk as Buffer).length);
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: received }));
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
