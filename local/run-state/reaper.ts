/**
 * The reaper `curtain run`, `resume` and `close` call before they start: it
 * finds what dead runs left on this machine and removes it, saying so. A run
 * is dead when the process that owned it is gone (pid, start time and boot all
 * checked, so a reused pid does not keep a dead run alive) and so is its
 * watchdog (which would be cleaning up right now). Only runs that wrote an
 * owner record are touched; several people may run curtain on one machine,
 * and a live run's resources are never touched.
 *   - scratch directories `$TMPDIR/curtain-local-*` with a dead owner: processes
 *     still working in them are killed, their cgroups removed, the run closed
 *     (as `curtain close` would) and the directory removed;
 *   - cgroups `/sys/fs/cgroup/<controller>/curtain-<pid>-*` whose pid no longer
 *     exists: their tasks are killed and the directories removed.
 */
import { existsSync, lstatSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeLocalRun } from './close-run';
import { killAndRemoveCgroup, processesWorkingIn, signalIdentity } from './process-cleanup';
import { identityOf, isAlive, pidExists } from './process-identity';
import { localRunDir, SCRATCH_PREFIX } from './run-dir-layout';
import { acquireRunLock, RunBusyError } from './run-lock';
import { readScratchOwner } from './scratch-owner';

export interface ReaperOptions {
  /** Where scratch directories are (default os.tmpdir()). */
  tmpDir?: string;
  /** The cgroup mount holding one directory per controller (default /sys/fs/cgroup). */
  cgroupMount?: string;
  /** Who is reaping, for the notes of the runs it closes. */
  by: string;
}

export async function reapDeadRuns(log: (line: string) => void, options: ReaperOptions): Promise<number> {
  let reaped = 0;
  const tmp = options.tmpDir ?? os.tmpdir();
  for (const entry of safeReaddir(tmp)) {
    if (!entry.isDirectory() || !entry.name.startsWith(SCRATCH_PREFIX)) continue;
    const scratch = path.join(tmp, entry.name);
    const owner = readScratchOwner(scratch);
    if (!owner || isAlive(owner.owner) || (owner.watchdog && isAlive(owner.watchdog))) continue;
    const bytes = directoryBytes(scratch);
    const pids = processesWorkingIn(scratch);
    for (const pid of pids) signalIdentity(identityOf(pid), 'SIGKILL');
    let cgroups = 0;
    for (const cgroup of owner.cgroups) if ((await killAndRemoveCgroup(cgroup)).removed) cgroups += 1;
    const closed = existsSync(localRunDir(owner.runDir)) ? await closeDeadRun(owner.runDir, `the reaper of ${options.by}`) : '';
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    reaped += 1;
    log(
      `curtain: cleaned up after a dead run (curtain pid ${owner.owner.pid}, ${owner.runDir}): killed ${pids.length} process(es), removed ${cgroups} cgroup(s) and ${formatBytes(bytes)} of scratch${closed}`,
    );
  }
  reaped += await reapOrphanCgroups(log, options.cgroupMount ?? '/sys/fs/cgroup');
  return reaped;
}

/** Closes the run of a dead owner unless someone alive holds it; says what happened. */
async function closeDeadRun(runDir: string, by: string): Promise<string> {
  try {
    const lock = acquireRunLock(runDir, 'reaper');
    try {
      const outcome = await closeLocalRun(runDir, by);
      return outcome.kind === 'closed' ? '; run.json closed as interrupted' : outcome.kind === 'removed' ? `; ${outcome.reason}` : '';
    } finally {
      lock.release();
    }
  } catch (error) {
    return error instanceof RunBusyError ? '' : `; its run could not be closed (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** cgroups named after a curtain process (`curtain-<pid>-<tag>`) whose pid no longer exists. */
async function reapOrphanCgroups(log: (line: string) => void, mount: string): Promise<number> {
  let removed = 0;
  let tasks = 0;
  for (const controller of safeReaddir(mount)) {
    if (!controller.isDirectory()) continue;
    const dir = path.join(mount, controller.name);
    for (const entry of safeReaddir(dir)) {
      const match = /^curtain-(\d+)-[A-Za-z0-9]+$/.exec(entry.name);
      if (!entry.isDirectory() || !match || pidExists(Number(match[1]))) continue;
      const result = await killAndRemoveCgroup(path.join(dir, entry.name));
      tasks += result.killed;
      if (result.removed) removed += 1;
    }
  }
  if (removed > 0 || tasks > 0) log(`curtain: removed ${removed} cgroup(s) of dead curtain processes (${tasks} task(s) killed)`);
  return removed;
}

function safeReaddir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function directoryBytes(dir: string): number {
  let total = 0;
  const walk = (at: string) => {
    for (const entry of safeReaddir(at)) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        try {
          total += lstatSync(file).size;
        } catch {
          // gone
        }
      }
    }
  };
  walk(dir);
  return total;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
