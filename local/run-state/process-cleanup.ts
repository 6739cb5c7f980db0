/**
 * Ending what a dead run left behind: process groups (only when the process is
 * still the one that was registered: same start time), every task of a cgroup
 * tree, the cgroup directories themselves, and processes found by their
 * working directory inside a dead run's scratch directory (the reaper's way to
 * find instances and drivers when no watchdog registered them).
 */
import { type Dirent, readdirSync, readFileSync, readlinkSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, type ProcessIdentity } from './process-identity';
import { isInside } from '../../analysis/run/guarded-file';

/** Signals a registered process's group (and the process itself), if it is still that process. */
export function signalIdentity(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isAlive(identity)) return false;
  let sent = false;
  for (const target of [-identity.pid, identity.pid]) {
    try {
      process.kill(target, signal);
      sent = true;
    } catch {
      // no such group (not a leader) or already gone
    }
  }
  return sent;
}

/** Waits until none of the processes is alive, or the time is up; returns those still alive. */
export async function waitForExit(identities: ProcessIdentity[], timeoutMs: number): Promise<ProcessIdentity[]> {
  const until = Date.now() + timeoutMs;
  let alive = identities.filter(isAlive);
  while (alive.length > 0 && Date.now() < until) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Every cgroup directory of a tree, deepest first. */
function cgroupDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    out.push(dir);
  };
  walk(root);
  return out;
}

export function cgroupTreeTasks(root: string): number[] {
  const pids: number[] = [];
  for (const dir of cgroupDirs(root)) {
    try {
      pids.push(...readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
    } catch {
      // gone
    }
  }
  return pids;
}

/** SIGKILLs every task of a cgroup tree, then removes its directories (retrying while tasks exit). Returns whether it is gone. */
export async function killAndRemoveCgroup(root: string, timeoutMs = 3000): Promise<{ killed: number; removed: boolean }> {
  const tasks = cgroupTreeTasks(root);
  for (const pid of tasks) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited already
    }
  }
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const dir of cgroupDirs(root)) {
      try {
        rmdirSync(dir);
      } catch {
        // still has tasks, or already gone
      }
    }
    let exists = true;
    try {
      readdirSync(root);
    } catch {
      exists = false;
    }
    if (!exists) return { killed: tasks.length, removed: true };
    if (Date.now() > until) return { killed: tasks.length, removed: false };
    await sleep(50);
  }
}

/** Processes whose working directory is inside `dir` (instances and drivers of a run live in its scratch directory). */
export function processesWorkingIn(dir: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${name}/cwd`).replace(/ \(deleted\)$/, '');
    } catch {
      continue;
    }
    if (isInside(dir, cwd)) found.push(pid);
  }
  return found;
}
