/**
 * A run directory is owned by one live process at a time: `curtain run` while
 * it runs, then `curtain resume` or `curtain close`, or the watchdog of a run
 * whose `curtain run` died. The owner is written to local-run/lock.json with
 * its pid, start time and boot (process-identity.ts), so a lock left by a dead
 * process is recognised as such even when its pid has been reused.
 *
 * Taking a lock is atomic (a hard link of a complete file, which fails when
 * the lock exists); taking over a dead owner's lock renames it away first and
 * checks that what it moved is the lock it judged dead.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { InputFileError } from '../../experiments/errors';
import { isAlive, ProcessIdentity, selfIdentity } from './process-identity';
import { lockFile } from './run-dir-layout';

export const RunLock = z.strictObject({
  v: z.literal(1),
  owner: ProcessIdentity,
  /** What holds it: `run`, `resume`, `close`, `watchdog`. */
  holder: z.string(),
  since: z.iso.datetime(),
  /** The run's scratch directory while `curtain run` or `resume` holds it. */
  scratch: z.string().nullable(),
});
export type RunLock = z.output<typeof RunLock>;

/** The run is owned by another live process. */
export class RunBusyError extends InputFileError {
  constructor(
    runDir: string,
    readonly lock: RunLock,
  ) {
    super(runDir, `the run is in use by curtain ${lock.holder} (pid ${lock.owner.pid}, since ${lock.since}): refused`);
    this.name = 'RunBusyError';
  }
}

export function readRunLock(runDir: string): RunLock | null {
  let text: string;
  try {
    text = readFileSync(lockFile(runDir), 'utf8');
  } catch {
    return null;
  }
  try {
    return RunLock.parse(JSON.parse(text));
  } catch {
    // Half a file cannot happen (it is linked complete); an unreadable one names nobody alive.
    return null;
  }
}

/** The live owner of a run, or null when nobody (alive) holds it. */
export function liveOwner(runDir: string): RunLock | null {
  const lock = readRunLock(runDir);
  return lock && isAlive(lock.owner) ? lock : null;
}

export interface HeldLock {
  lock: RunLock;
  /** Updates the scratch directory recorded in the lock. */
  setScratch(scratch: string | null): void;
  release(): void;
}

/**
 * Takes the run's lock for this process. A lock held by a live process is a RunBusyError; a dead
 * owner's lock is taken over (its previous holder is returned so the caller can say so).
 */
export function acquireRunLock(runDir: string, holder: string, scratch: string | null = null): HeldLock & { previous: RunLock | null } {
  const file = lockFile(runDir);
  const lock: RunLock = { v: 1, owner: selfIdentity(), holder, since: new Date().toISOString(), scratch };
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(lock, null, 2)}\n`);
  let previous: RunLock | null = null;
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        linkSync(temp, file);
        return { ...heldLock(runDir, lock), previous };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = readRunLock(runDir);
      if (existing && isAlive(existing.owner)) throw new RunBusyError(runDir, existing);
      // Dead (or unreadable): move it away, then make sure it was that lock and not a new live one.
      const moved = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, moved);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const movedLock = safeParse(moved);
      if (movedLock && isAlive(movedLock.owner)) {
        // Another process took the lock between our read and our rename: give it back.
        try {
          linkSync(moved, file);
        } finally {
          rmSync(moved, { force: true });
        }
        throw new RunBusyError(runDir, movedLock);
      }
      rmSync(moved, { force: true });
      previous = movedLock ?? existing;
    }
    throw new InputFileError(runDir, 'could not take the run lock (it keeps changing hands): refused');
  } finally {
    rmSync(temp, { force: true });
  }
}

function heldLock(runDir: string, lock: RunLock): HeldLock {
  const file = lockFile(runDir);
  let current = lock;
  return {
    get lock() {
      return current;
    },
    setScratch(scratch) {
      current = { ...current, scratch };
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(current, null, 2)}\n`);
      renameSync(temp, file);
    },
    release() {
      // Only our own lock is removed (a watchdog may have taken it over after we were presumed dead).
      const onDisk = readRunLock(runDir);
      if (onDisk && onDisk.owner.pid === current.owner.pid && onDisk.owner.startTime === current.owner.startTime) rmSync(file, { force: true });
    },
  };
}

function safeParse(file: string): RunLock | null {
  try {
    return RunLock.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}
