/**
 * Local platform entry (bundle probe-local): the runtime shim protocol of
 * contracts/local-shim.ts over stdin/stdout. Sends `ready` once initialised,
 * then answers `invoke` lines one at a time, in order. stdout carries protocol
 * lines only; anything else goes to stderr. The process exits when the
 * platform closes stdin.
 *
 * A local cold start is a real process start, measured against a bare `node`,
 * so start-up stays minimal: stdin and stdout are used through their file
 * descriptors (fs.read / fs.writeSync) rather than process.stdin/stdout, whose
 * stream machinery (net, stream, tty) costs more to load than the whole probe.
 */
import { read, writeSync } from 'node:fs';
import { nowMs, roundMs } from '../clock';
import { createProbe, ProbeRequestError } from '../probe';

const STDIN = 0;
const STDOUT = 1;
const NEWLINE = 0x0a;

const instance = createProbe();

function send(message: object): void {
  const bytes = Buffer.from(`${JSON.stringify(message)}\n`);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(STDOUT, bytes, offset);
    } catch (error) {
      // A non-blocking stdout that is momentarily full: retry (stdout is ours alone).
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function log(text: string): void {
  process.stderr.write(`probe-local: ${text}\n`);
}

async function answer(line: string, receivedAt: number): Promise<void> {
  let message: { type?: unknown; id?: unknown; request?: unknown };
  try {
    message = JSON.parse(line);
  } catch {
    return log(`ignored a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const id = message?.id;
  if (message?.type !== 'invoke' || !Number.isInteger(id)) {
    log(`ignored a line that is not an invoke message: ${line.slice(0, 200)}`);
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

let pending = Buffer.alloc(0);
let queue: Promise<void> = Promise.resolve();
const chunk = Buffer.allocUnsafe(64 * 1024);

function onData(bytes: Buffer): void {
  pending = pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([pending, bytes]);
  let newline: number;
  while ((newline = pending.indexOf(NEWLINE)) >= 0) {
    const line = pending.toString('utf8', 0, newline).trim();
    pending = pending.subarray(newline + 1);
    // Received when the instance takes the line up (one invocation at a time, as on
    // Lambda): time a line spent queued behind another is not the probe's overhead.
    if (line !== '') queue = queue.then(() => answer(line, nowMs()));
  }
}

function readStdin(): void {
  read(STDIN, chunk, 0, chunk.length, null, (error, bytes) => {
    if (error?.code === 'EAGAIN') return void setTimeout(readStdin, 5);
    if (error || bytes === 0) {
      // The platform closed stdin (or it failed): finish what was asked, then go.
      if (error) log(`stdin: ${error.message}`);
      return void queue.then(() => process.exit(0));
    }
    onData(chunk.subarray(0, bytes));
    readStdin();
  });
}

send({ type: 'ready', pid: process.pid, initMs: roundMs(performance.now()) });
readStdin();
