/**
 * Starts and feeds the watchdog of a run (watchdog-main.ts, protocol in
 * watchdog-protocol.ts). The watchdog runs the TypeScript source through tsx,
 * like `bin/curtain.js`, in its own session; it is unref'd, so it never keeps
 * curtain alive, and told `done` when the run ends cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildHooks } from '../run-state/child-hooks';
import { identityOf, type ProcessIdentity } from '../run-state/process-identity';
import type { WatchdogConfig } from './watchdog-protocol';

const MAIN = path.join(__dirname, 'watchdog-main.ts');

export class RunWatchdog {
  private closed = false;

  private constructor(private readonly child: ChildProcess) {}

  static start(config: WatchdogConfig, onExit?: (reason: string) => void): RunWatchdog {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN, JSON.stringify(config)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const watchdog = new RunWatchdog(child);
    child.stdin!.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      if (!watchdog.closed) onExit?.(`the run's watchdog exited (${signal ?? `code ${code}`}): should curtain be killed now, the next \`curtain run\` cleans up after it`);
      watchdog.closed = true;
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return watchdog;
  }

  get identity(): ProcessIdentity | null {
    return this.child.pid === undefined ? null : identityOf(this.child.pid);
  }

  readonly hooks: ChildHooks = {
    spawned: (pid, kind) => this.send(`spawned ${pid} ${kind}`),
    exited: (pid) => this.send(`exited ${pid}`),
  };

  cgroup(dir: string): void {
    this.send(`cgroup ${dir}`);
  }

  /** The run ended cleanly: the watchdog exits without touching anything. */
  async finish(): Promise<void> {
    if (this.closed) return;
    this.send('done');
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    // A referenced timer: the watchdog and its pipe are unref'd, and an empty event loop would end curtain mid-await.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }

  private send(line: string): void {
    if (!this.closed && this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }
}
