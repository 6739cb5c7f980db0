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
