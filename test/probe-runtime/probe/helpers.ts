/** Shared by the probe tests: fixture trees, temporary dirs and request builders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProbeRequestInput } from '../../../probe-runtime/contracts/probe-wire';
import type { TaskInput } from '../../../probe-runtime/contracts/task';

export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test/fixtures/proc');

export function fixtureRoots(name: string): { procRoot: string; sysRoot: string } {
  return { procRoot: path.join(FIXTURES, name, 'proc'), sysRoot: path.join(FIXTURES, name, 'sys') };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'curtain-probe-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function probeRequest(task: TaskInput = { name: 'noop' }, overrides: Partial<ProbeRequestInput> = {}): ProbeRequestInput {
  return {
    v: 1,
    study: 'coldstart',
    run: 'r-test',
    step: 0,
    request: 0,
    attempt: 1,
    target: 'node-m128-a-0',
    task,
    barrierAt: null,
    sentAt: Date.now(),
    ...overrides,
  };
}

/** An environment without any provider variables, so tests see only what they set. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...extra };
}

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (random port) for the net task and the HTTP adapters. */
export async function startLoopbackServer(handler: import('node:http').RequestListener): Promise<LoopbackServer> {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Drives an instance process over the local shim protocol (contracts/local-shim.ts):
 * line-based JSON on stdin/stdout, stderr collected for inspection.
 */
export class ShimClient {
  readonly child: import('node:child_process').ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];
  private pending = '';
  readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], env: Record<string, string>) {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (data: string) => {
      this.pending += data;
      let newline: number;
      while ((newline = this.pending.indexOf('\n')) >= 0) {
        this.lines.push(this.pending.slice(0, newline));
        this.pending = this.pending.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.on('data', (data: Buffer) => (this.stderr += data.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  /** The next stdout line, parsed; fails after timeoutMs. */
  async next(timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let read = this.consumed;
    while (this.lines.length <= read) {
      if (Date.now() > deadline) throw new Error(`no line from the instance within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
      read = this.consumed;
    }
    this.consumed += 1;
    return JSON.parse(this.lines[read]!) as Record<string, unknown>;
  }

  private consumed = 0;

  /** Close stdin (the platform's "go away") and wait for the exit code. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * The net task's counterpart on loopback: GET /data?mb=N serves N MiB, PUT counts what it receives
 * (answering `uploadStatus`), /missing is a 404, /trickle sends one block then stays silent, /hang
 * never answers.
 */
export interface NetTestServer extends LoopbackServer {
  /** Bytes the last PUT delivered. */
  uploaded(): number;
  /** Size of a served block (what /trickle delivers). */
  blockBytes: number;
}

export async function startNetTestServer(uploadStatus = 201): Promise<NetTestServer> {
  const block = Buffer.alloc(64 * 1024, 7);
  let uploaded = 0;
  const server = await startLoopbackServer((req, res) => {
    const url = new URL(req.url!, 'http://loopback');
    if (url.pathname === '/missing') return void res.writeHead(404).end('no');
    if (url.pathname === '/hang') return;
    if (url.pathname === '/trickle') return void res.writeHead(200).write(block);
    if (req.method === 'PUT') {
      uploaded = 0;
      req.on('data', (chunk: Buffer) => (uploaded += chunk.length));
      req.on('end', () => res.writeHead(uploadStatus).end());
      return;
    }
    const size = Number(url.searchParams.get('mb') ?? '0') * 1024 * 1024;
    res.writeHead(200, { 'content-length': size });
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += block.length;
        if (!res.write(block)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return { ...server, uploaded: () => uploaded, blockBytes: block.length };
}

/** Poll `done` every 10 ms (up to timeoutMs), then return `value()`: waits on state, not on a guessed delay. */
export async function until<T>(done: () => boolean, value: () => T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return value();
}
