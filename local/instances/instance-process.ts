/**
 * One function instance: a real process speaking the local shim protocol
 * (probe-runtime/contracts/local-shim.ts) over stdin/stdout.
 *
 * Each instance runs in its own process group (`detached`), so that a Ctrl-C
 * in the terminal reaches the platform, which then ends every instance itself,
 * and so that freezing, stopping and killing reach any child the probe started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ShimMessage } from '../../probe-runtime/contracts/local-shim';

export interface InstanceSpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type InvokeReply = { kind: 'response'; response: unknown } | { kind: 'error'; error: string };

/** The process ended (or never became ready) before answering. */
export class InstanceExitedError extends Error {
  constructor(
    readonly exit: InstanceExit,
    readonly stderrTail: string,
    during: 'start' | 'invocation',
  ) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const detail = stderrSummary(stderrTail);
    super(`instance ${during === 'start' ? 'exited before it was ready' : 'crashed during the invocation'} (${how})${detail ? `: ${detail}` : ''}`);
    this.name = 'InstanceExitedError';
  }
}

/** The line that names the error (a Node or Python exception), else the last lines of stderr. */
function stderrSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^([A-Za-z_.]*(Error|Exception)\b|Error:)/.test(l));
  return (error ?? lines.slice(-3).join(' | ')).slice(0, 400);
}

const STDERR_TAIL_BYTES = 4096;

export class InstanceProcess {
  readonly pid: number;
  /** Resolves with the shim's own init time once it says ready; rejects if it exits first or times out. */
  readonly ready: Promise<{ initMs: number; readyAt: number }>;
  readonly exited: Promise<InstanceExit>;
  private exitInfo: InstanceExit | null = null;
  private stderr = '';
  private nextId = 1;
  private pending: { id: number; resolve: (r: InvokeReply) => void; reject: (e: Error) => void } | null = null;
  private frozen = false;

  private constructor(
    private readonly child: ChildProcess,
    readyTimeoutMs: number,
  ) {
    if (child.pid === undefined) throw new Error('instance process did not start');
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        if (this.pending) {
          this.pending.reject(new InstanceExitedError(this.exitInfo, this.stderr, 'invocation'));
          this.pending = null;
        }
        resolve(this.exitInfo);
      });
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`instance did not become ready within ${readyTimeoutMs} ms${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`));
        void this.kill();
      }, readyTimeoutMs);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(new InstanceExitedError(exit, this.stderr, 'start'));
      });
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const message = parseLine(line);
        if (!message) {
          this.appendStderr(`[platform] ignored a line that is not a shim message: ${line.slice(0, 200)}\n`);
          return;
        }
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve({ initMs: message.initMs, readyAt: Date.now() });
          return;
        }
        const pending = this.pending;
        if (!pending || pending.id !== message.id) {
          this.appendStderr(`[platform] ignored a result for unknown invocation ${message.id}\n`);
          return;
        }
        this.pending = null;
        pending.resolve('error' in message ? { kind: 'error', error: message.error } : { kind: 'response', response: message.response });
      });
    });
    // A rejection nobody awaits (an instance reaped before use) must not crash the platform.
    this.ready.catch(() => undefined);
    child.stderr!.on('data', (chunk: Buffer) => this.appendStderr(chunk.toString('utf8')));
    // Writes to an instance that just died fail with EPIPE; the exit handler reports it.
    child.stdin!.on('error', () => undefined);
  }

  static spawn(spec: InstanceSpawnSpec, readyTimeoutMs: number): InstanceProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return new InstanceProcess(child, readyTimeoutMs);
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  get exitStatus(): InstanceExit | null {
    return this.exitInfo;
  }

  stderrTail(): string {
    return this.stderr;
  }

  /** Sends one request; one invocation at a time, as the shim protocol says. */
  invoke(request: unknown): Promise<InvokeReply> {
    if (!this.alive) return Promise.reject(new InstanceExitedError(this.exitInfo!, this.stderr, 'invocation'));
    if (this.pending) return Promise.reject(new Error('instance is busy: one invocation at a time'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.child.stdin!.write(`${JSON.stringify({ type: 'invoke', id, request })}\n`);
    });
  }

  /** SIGSTOP the process group: nothing runs until `thaw`. */
  freeze(): void {
    if (this.alive && !this.frozen && this.signalGroup('SIGSTOP')) this.frozen = true;
  }

  thaw(): void {
    if (this.frozen && this.signalGroup('SIGCONT')) this.frozen = false;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** SIGKILL the whole process group (works on a stopped process too) and wait for the exit. */
  async kill(): Promise<InstanceExit> {
    if (this.alive) this.signalGroup('SIGKILL');
    return this.exited;
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    if (this.alive) this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): boolean {
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      try {
        process.kill(this.pid, signal);
        return true;
      } catch {
        return false;
      }
    }
  }

  private appendStderr(text: string): void {
    this.stderr = (this.stderr + text).slice(-STDERR_TAIL_BYTES);
  }
}

function parseLine(line: string): ShimMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = ShimMessage.safeParse(json);
  return parsed.success ? parsed.data : null;
}
