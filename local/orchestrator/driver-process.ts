/**
 * Runs the real driver bundle (dist/runtime/driver-local) as a process, one per
 * driver call, exactly as a cloud orchestrator invokes its driver function:
 * one DriverEvent on stdin, the summary as a JSON line on stdout
 * (probe-runtime/driver/adapters/local.ts describes the protocol).
 *
 * The driver runs in its own process group so that a Ctrl-C in the terminal
 * reaches the orchestrator only; the orchestrator then asks the driver to stop
 * (SIGTERM: it stops sending and still writes its shard, unsent requests as
 * `skipped`).
 */
import { spawn } from 'node:child_process';
import type { DriverEvent } from '../../probe-runtime/contracts/driver-event';
import type { ChildHooks } from '../run-state/child-hooks';

export type { ChildHooks };

export interface DriverCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Working directory (the run's scratch: the reaper finds a dead run's processes by it). */
  cwd?: string;
}

export type DriverCallResult =
  | { ok: true; summary: unknown; ms: number }
  | {
      ok: false;
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      message: string;
      retryable: boolean;
      /** False when the driver was stopped before it got its event: it cannot have sent anything. */
      eventSent?: boolean;
    };

export interface DriverCallOptions {
  /** Aborting sends SIGTERM (stop sending, write what there is); after `killAfterMs` more, SIGKILL. */
  stop?: AbortSignal;
  killAfterMs?: number;
  /** Fault injection: SIGKILL the driver this many ms after it starts. */
  crashAfterMs?: number | null;
  children?: ChildHooks;
  /**
   * Real epoch ms at which the event is written: the process starts now and waits, loaded, for its
   * event, so a burst can leave at a planned moment however long a process start takes.
   */
  releaseAt?: number;
}

/** Driver processes still running, so a dying orchestrator can take them down. */
const liveDrivers = new Set<number>();
process.once('exit', () => {
  for (const pid of liveDrivers) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function liveDriverPids(): number[] {
  return [...liveDrivers];
}

export function callDriver(driver: DriverCommand, event: DriverEvent, options: DriverCallOptions = {}): Promise<DriverCallResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(driver.command, driver.args, { env: driver.env, cwd: driver.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    if (pid !== undefined) {
      liveDrivers.add(pid);
      options.children?.spawned(pid, 'driver');
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
    child.stdin.on('error', () => undefined);
    let eventSent = false;
    const release = () => {
      eventSent = true;
      child.stdin.end(JSON.stringify(event));
    };
    const holdMs = (options.releaseAt ?? 0) - Date.now();
    const releaseTimer = holdMs > 0 ? setTimeout(release, holdMs) : null;
    if (!releaseTimer) release();

    const signalGroup = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // exited already
      }
    };
    let killTimer: NodeJS.Timeout | null = null;
    const onStop = () => {
      if (!eventSent) {
        // Still waiting for its event: it has sent nothing, and it cannot act on SIGTERM while it blocks on stdin.
        if (releaseTimer) clearTimeout(releaseTimer);
        signalGroup('SIGKILL');
        return;
      }
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), options.killAfterMs ?? 15_000);
    };
    if (options.stop?.aborted) onStop();
    else options.stop?.addEventListener('abort', onStop, { once: true });
    const crashTimer = options.crashAfterMs != null ? setTimeout(() => signalGroup('SIGKILL'), options.crashAfterMs) : null;

    child.once('error', (error) => {
      if (pid !== undefined) {
        liveDrivers.delete(pid);
        options.children?.exited(pid);
      }
      if (releaseTimer) clearTimeout(releaseTimer);
      resolve({ ok: false, exitCode: null, signal: null, message: `cannot start the driver: ${error.message}`, retryable: false, eventSent: false });
    });
    child.once('close', (code, signal) => {
      if (pid !== undefined) {
        liveDrivers.delete(pid);
        options.children?.exited(pid);
      }
      if (killTimer) clearTimeout(killTimer);
      if (crashTimer) clearTimeout(crashTimer);
      if (releaseTimer) clearTimeout(releaseTimer);
      options.stop?.removeEventListener('abort', onStop);
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (code === 0) {
        try {
          resolve({ ok: true, summary: JSON.parse(lastLine), ms: performance.now() - started });
          return;
        } catch {
          resolve({ ok: false, exitCode: code, signal, message: `the driver printed no JSON summary: ${lastLine.slice(0, 200)}`, retryable: true });
          return;
        }
      }
      const detail = stderr.trim().split('\n').pop() ?? '';
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      // Exit 1 is a refusal (invalid event or configuration): retrying cannot help.
      resolve({ ok: false, exitCode: code, signal, message: `the driver ${how}${detail ? `: ${detail}` : ''}`, retryable: code !== 1, eventSent });
    });
  });
}
