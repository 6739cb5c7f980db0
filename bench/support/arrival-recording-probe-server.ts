/**
 * A loopback probe server in its own process for bench/driver.bench.ts: answers
 * POST /invoke/<key> with a valid ProbeResponse and records when each request
 * body arrived (epoch ms from the monotonic clock, the same anchor the driver
 * uses). GET /arrivals returns and clears the record. Prints its port on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeRequest } from '../../probe-runtime/contracts/probe-wire';
import { fakeProbeResponse } from '../../test/probe-runtime/driver/support/probe-fixture';

interface Arrival {
  request: number;
  at: number;
  barrierAt: number | null;
}

let arrivals: Arrival[] = [];
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/arrivals') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrivals));
    arrivals = [];
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    // The bench's baseline loop: same connection handling, nothing to validate.
    if (req.url === '/bare') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const at = performance.timeOrigin + performance.now();
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeRequest;
    arrivals.push({ request: request.request, at, barrierAt: request.barrierAt });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fakeProbeResponse(request)));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.stdin.on('end', () => process.exit(0)).resume();
