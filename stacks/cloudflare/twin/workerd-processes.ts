/**
 * The workerd processes this Node process started (miniflare spawns one per
 * Miniflare instance and does not expose its id), found by parent pid in
 * /proc, so a run or a test can end them by PID whatever happened to
 * miniflare's own dispose.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function workerdChildPids(parent = process.pid): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids; // no /proc (not Linux): nothing to find
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (in parentheses, which may hold spaces): state, ppid, ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('workerd')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** SIGKILL each workerd child still running; returns the pids it signalled. */
export function killWorkerdChildren(): number[] {
  const pids = workerdChildPids();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type SignalListeners = Record<(typeof STOP_SIGNALS)[number], ReadonlySet<(...args: unknown[]) => void>>;

/** The SIGINT and SIGTERM listeners registered now (before miniflare adds its own). */
export function stopSignalListeners(): SignalListeners {
  const listening = (signal: (typeof STOP_SIGNALS)[number]) => new Set(process.listeners(signal) as ((...args: unknown[]) => void)[]);
  return { SIGINT: listening('SIGINT'), SIGTERM: listening('SIGTERM') };
}

/**
 * Removes the SIGINT and SIGTERM listeners added since `before`. miniflare registers an exit hook that
 * disposes workerd and exits the process (130) on the first Ctrl-C, which would end a run before it
 * is copied and closed; the run handles Ctrl-C itself (cli/stop-signals.ts), ends workerd by PID,
 * and miniflare's `exit` hook still disposes whatever is left should the process exit at once.
 */
export function dropStopSignalListenersSince(before: SignalListeners): void {
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal) as ((...args: unknown[]) => void)[]) {
      if (!before[signal].has(listener)) process.removeListener(signal, listener);
    }
  }
}
