/**
 * What a local run keeps beside the bucket layout, in `<run>/local-run/`
 * (the analysis never reads it; a cloud run has no such folder):
 *
 *   lock.json                          the live process that owns the run (run-lock.ts)
 *   journal.jsonl                      the orchestrator's journal: steps begun and done, every
 *                                      driver started for a shard and how it ended (run-journal.ts)
 *   partial/<stepId>/<shard>.jsonl     a driver's own journal of the shard it is sending: a
 *                                      header written before the first request leaves, then
 *                                      each request's final record as it settles; removed once
 *                                      the shard is written (shard-journal.ts)
 *
 * Scratch space (host trees, instance files, the driver's staged plan) is not
 * here but in `$TMPDIR/curtain-local-*`, with an owner.json the reaper reads.
 */
import path from 'node:path';

export const LOCAL_RUN_DIR = 'local-run';

export function localRunDir(runDir: string): string {
  return path.join(runDir, LOCAL_RUN_DIR);
}

export function lockFile(runDir: string): string {
  return path.join(localRunDir(runDir), 'lock.json');
}

export function journalFile(runDir: string): string {
  return path.join(localRunDir(runDir), 'journal.jsonl');
}

export function partialDir(runDir: string): string {
  return path.join(localRunDir(runDir), 'partial');
}

export { partialShardFile } from '../../probe-runtime/driver/shard-journal';

/** Prefix of scratch directories under os.tmpdir(). */
export const SCRATCH_PREFIX = 'curtain-local-';
export const SCRATCH_OWNER_FILE = 'owner.json';
