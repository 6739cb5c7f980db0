/**
 * Where a run's files live, identical in every bucket (S3, GCS, Azure Blob) and
 * in a local results directory:
 *
 *   <study>/<run>/plan.json
 *   <study>/<run>/run.json
 *   <study>/<run>/steps/<stepId>/<shard>.jsonl
 *
 * A shard key depends only on (study, run, step, shard), so a retried driver
 * shard overwrites its own object and retries never duplicate records.
 */

export function runPrefix(study: string, run: string): string {
  return `${study}/${run}`;
}

export function planKey(study: string, run: string): string {
  return `${runPrefix(study, run)}/plan.json`;
}

export function runManifestKey(study: string, run: string): string {
  return `${runPrefix(study, run)}/run.json`;
}

export function shardKey(study: string, run: string, stepId: string, shard: number): string {
  return `${runPrefix(study, run)}/steps/${stepId}/${String(shard).padStart(3, '0')}.jsonl`;
}

/** Run ids sort by start time and are safe in every object store and file system. */
export function newRunId(now: Date, suffix: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${suffix}`;
}

export const RUN_ID_PATTERN = /^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{1,16}$/;
