/**
 * The processes a piece of work starts, by PID: while it runs, every
 * descendant of this process is recorded with its start time (so a reused PID
 * is never mistaken for it); afterwards, the ones still alive are its
 * leftovers, and they are ended by PID (never by name). Linux /proc only.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface WatchedProcess {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot (identifies the process, not just its PID). */
  readonly startTime: string;
  readonly command: string;
}

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  startTime: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
  } catch {
    return null;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
}

/** True while the process (same PID and start time) exists and is not a zombie awaiting its parent. */
export function isAlive(p: WatchedProcess): boolean {
  const stat = readStat(p.pid);
  return stat !== null && stat.startTime === p.startTime && stat.state !== 'Z';
}

function isEsbuildService(p: WatchedProcess): boolean {
  return /\/esbuild(\s|$)/.test(p.command) && p.command.includes('--service=');
}

export class ProcessWatch {
  private readonly seen = new Map<string, WatchedProcess>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root = process.pid,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Records every current descendant of the root. */
  sample(): void {
    const children = new Map<number, ProcStat[]>();
    for (const p of allProcesses()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const stack = [...(children.get(this.root) ?? [])];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const id = `${p.pid}@${p.startTime}`;
      if (!this.seen.has(id) && p.state !== 'Z') this.seen.set(id, { pid: p.pid, startTime: p.startTime, command: commandOf(p.pid) });
      stack.push(...(children.get(p.pid) ?? []));
    }
  }

  /** Stops sampling; returns every process seen. */
  stop(): WatchedProcess[] {
    clearInterval(this.timer);
    this.sample();
    return [...this.seen.values()];
  }

  /**
   * Processes seen that are still alive after `graceMs` (exits already under way may finish). esbuild's
   * service process is not one: its JS API keeps it for the life of the process that loaded esbuild.
   */
  async leftovers(graceMs = 2000): Promise<WatchedProcess[]> {
    const until = Date.now() + graceMs;
    let alive = [...this.seen.values()].filter((p) => isAlive(p) && !isEsbuildService(p));
    while (alive.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alive = alive.filter(isAlive);
    }
    return alive;
  }

  /** Ends these processes by PID (SIGKILL), each after checking it is still the same process. */
  kill(processes: readonly WatchedProcess[]): void {
    for (const p of processes) {
      if (!isAlive(p)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone between the check and the kill.
      }
    }
  }
}
