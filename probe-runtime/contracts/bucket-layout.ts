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

/**
 * Every run id Curtain accepts, made by newRunId or chosen with `--run`: one
 * path segment that cannot climb out of its prefix (it starts with a letter or
 * a digit), safe as an object key, a file name and a Step Functions execution
 * name (at most 80 characters, no `/` or `:`). Every place that takes a run id
 * checks it against this pattern.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** What a run id looks like, for messages. */
export const RUN_ID_EXAMPLE = '20261126T120000Z-ab12cd';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The one way run ids are made: the UTC start time to the second and six
 * random letters or digits, so a study's runs sort by start time.
 */
export function newRunId(now = new Date(), randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = [...randomBytes(6)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${stamp}-${suffix}`;
}

/** When a run made by newRunId started (ms since the epoch); null for an id chosen by hand. */
export function runIdStartTime(run: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(run);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : null;
}

/**
 * Whether an object key is a plain relative path: segments that are not empty,
 * `.` or `..`, and no backslash, colon or NUL. Keys made here always are; the driver's
 * sinks and `curtain fetch` check every key anyway, with this one rule, so no
 * key can leave its prefix in a bucket or its directory on disk.
 */
export function isSafeObjectKey(key: string): boolean {
  return !key.startsWith('/') && !/[\\:\0]/.test(key) && key.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
