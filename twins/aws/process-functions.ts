/**
 * Functions the twin runs outside the emulated platform: the study's driver,
 * which is Curtain's own harness rather than a measured function. Each
 * execution environment is one Lambda-runtime process (lambda-runtime/),
 * started on demand, reused while warm, one invocation at a time, as on
 * Lambda; every process ends, by its process group, when the twin stops.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { InstanceProcess, type InvokeReply } from '../../local/instances/instance-process';
import type { RuntimeCommands } from '../../local/instances/runtime-commands';
import type { TwinRuntime } from './cloud-assembly';

export interface ProcessFunctionConfig {
  runtime: TwinRuntime;
  timeoutSeconds: number;
  env: Record<string, string>;
}

export type ProcessReply = InvokeReply | { kind: 'timeout' } | { kind: 'crashed'; error: string };

const READY_TIMEOUT_MS = 30_000;

export class ProcessFunctions {
  private readonly idle = new Map<string, InstanceProcess[]>();
  private readonly all: InstanceProcess[] = [];
  private readonly configs = new Map<string, ProcessFunctionConfig>();
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly runtimes: RuntimeCommands,
    private readonly workDir: string,
  ) {}

  define(name: string, config: ProcessFunctionConfig): void {
    this.configs.set(name, config);
    // A new configuration is new execution environments: warm ones of the old one are ended.
    for (const proc of this.idle.get(name) ?? []) void proc.kill();
    this.idle.set(name, []);
  }

  has(name: string): boolean {
    return this.configs.has(name);
  }

  async invoke(name: string, event: unknown): Promise<ProcessReply> {
    const config = this.configs.get(name);
    if (!config) throw new Error(`no function ${name}`);
    const proc = this.idle.get(name)?.pop() ?? (await this.start(name, config));
    if (proc instanceof Error) return { kind: 'crashed', error: proc.message };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ kind: 'timeout' }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), config.timeoutSeconds * 1000);
    });
    try {
      const reply = await Promise.race([proc.invoke(event), timeout]);
      if (reply.kind === 'timeout') await proc.kill();
      else if (!this.stopped && this.configs.get(name) === config) this.idle.get(name)?.push(proc);
      else void proc.kill();
      return reply;
    } catch (error) {
      await proc.kill();
      return { kind: 'crashed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async start(name: string, config: ProcessFunctionConfig): Promise<InstanceProcess | Error> {
    const command = this.runtimes[config.runtime];
    if (!command) return new Error(`no command to start ${config.runtime} functions on this machine`);
    this.seq += 1;
    const dir = path.join(this.workDir, `${name}-${this.seq}`);
    const tmp = path.join(dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const proc = InstanceProcess.spawn(
      {
        command: command.command,
        args: command.args,
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: tmp, TMPDIR: tmp, ...config.env },
      },
      READY_TIMEOUT_MS,
    );
    this.all.push(proc);
    try {
      await proc.ready;
      return proc;
    } catch (error) {
      await proc.kill();
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Pids of processes still running. */
  livePids(): number[] {
    return this.all.filter((p) => p.alive).map((p) => p.pid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.all.map((p) => p.kill()));
  }

  /** Synchronous last resort for an exit handler. */
  killAllNow(): void {
    for (const p of this.all) p.killNow();
  }
}
