/**
 * Local platform entry (bundle probe-local): the runtime shim protocol of
 * contracts/local-shim.ts over stdin/stdout. Sends `ready` once initialised,
 * then answers `invoke` lines one at a time, in order. stdout carries protocol
 * lines only; anything else goes to stderr. The process exits when the
 * platform closes stdin. Start-up is kept minimal (no heavy imports) because a
 * local cold start is a real process start and is measured against bare node.
 */
import { nowMs, roundMs } from '../clock';
import { createProbe, ProbeRequestError } from '../probe';

const instance = createProbe();

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function answer(line: string, receivedAt: number): Promise<void> {
  let message: { type?: unknown; id?: unknown; request?: unknown };
  try {
    message = JSON.parse(line);
  } catch {
    process.stderr.write(`probe-local: ignored a line that is not JSON: ${line.slice(0, 200)}\n`);
    return;
  }
  const id = message?.id;
  if (message?.type !== 'invoke' || !Number.isInteger(id)) {
    process.stderr.write(`probe-local: ignored a line that is not an invoke message: ${line.slice(0, 200)}\n`);
    if (Number.isInteger(id)) send({ type: 'result', id, error: 'expected {"type":"invoke","id":<int>,"request":{...}}' });
    return;
  }
  try {
    send({ type: 'result', id, response: await instance.handle(message.request, { receivedAt }) });
  } catch (error) {
    const text = error instanceof ProbeRequestError ? error.message : `probe failed: ${error instanceof Error ? error.message : String(error)}`;
    send({ type: 'result', id, error: text });
  }
}

let pending = '';
let queue: Promise<void> = Promise.resolve();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data: string) => {
  pending += data;
  let newline: number;
  while ((newline = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, newline).trim();
    pending = pending.slice(newline + 1);
    // Received when the instance takes the line up (one invocation at a time, as on
    // Lambda): time a line spent queued behind another is not the probe's overhead.
    if (line !== '') queue = queue.then(() => answer(line, nowMs()));
  }
});
process.stdin.on('end', () => {
  void queue.then(() => process.exit(0));
});

send({ type: 'ready', pid: process.pid, initMs: roundMs(performance.now()) });
