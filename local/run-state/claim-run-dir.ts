/**
 * A new run takes its run directory before anything starts: the directory is
 * created exclusively (it must not exist) and locked (run-lock.ts) by the
 * process that runs it. Two runs with one id would overwrite each other's
 * shards, and a finished run's records, ground truth and report are never
 * overwritten; so an existing directory is refused, saying whether a live
 * process holds it or what its run.json says. Used by `curtain run` on the
 * local platform and on the offline twins alike.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { InputFileError } from '../../experiments/errors';
import { runPrefix } from '../../probe-runtime/contracts/bucket-layout';
import { readRunDocuments } from './close-run';
import { localRunDir } from './run-dir-layout';
import { acquireRunLock, type HeldLock, liveOwner } from './run-lock';

/** The directory of a run in a results root: `<out>/<study>/<run>`. */
export function runDirectoryIn(outDir: string, study: string, run: string): string {
  return path.join(path.resolve(outDir), ...runPrefix(study, run).split('/'));
}

export interface ClaimOptions {
  /** Whether `curtain resume` can continue a run of this kind (local runs): the refusal then says so. */
  readonly resumable: boolean;
}

/** Creates and locks a new run directory, or refuses with one line (InputFileError) when it exists. */
export async function claimNewRunDirectory(runDir: string, options: ClaimOptions): Promise<HeldLock> {
  mkdirSync(path.dirname(runDir), { recursive: true });
  try {
    mkdirSync(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = liveOwner(runDir);
    if (owner) throw new InputFileError(runDir, `run ${path.basename(runDir)} is in progress (curtain ${owner.holder}, pid ${owner.owner.pid}, since ${owner.since}): refused; choose another --run`);
    let status = 'exists';
    try {
      status = `exists (run.json: ${(await readRunDocuments(runDir)).manifest?.status ?? 'missing'})`;
    } catch {
      // an unreadable run directory still exists
    }
    const resume = options.resumable && (status.includes('running') || status.includes('interrupted')) ? ', or continue it with `curtain resume`' : '';
    throw new InputFileError(runDir, `run ${path.basename(runDir)} already ${status}: refused, a run is never overwritten; choose another --run${resume}`);
  }
  mkdirSync(localRunDir(runDir));
  return acquireRunLock(runDir, 'run');
}
