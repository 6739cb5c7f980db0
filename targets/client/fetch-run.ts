/**
 * Downloads one run from a results store (an S3 bucket, a GCS bucket, an
 * Azure Blob container) into <out>/<study>/<run>/ in the bucket layout, the
 * same way for every provider: each provider only supplies an ObjectStore.
 *
 * Each object goes to `<file>.part` and is renamed when complete, so an
 * interrupted fetch never leaves a truncated JSONL file that looks whole; keys
 * that would leave the destination are refused. Afterwards run.json is read
 * and its status reported (never failing the fetch: the data is saved).
 */
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatProblem, problemsFromZod } from '../../experiments/errors';
import { isSafeObjectKey, RUN_ID_PATTERN, runIdStartTime, runManifestKey, runPrefix } from '../../probe-runtime/contracts/bucket-layout';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { TargetError } from '../target-errors';
import type { FetchResult } from './provider-client';

export interface ObjectStore {
  /** How to name the store in messages, e.g. s3://bucket, gs://bucket or https://acct.blob.core.windows.net/results. */
  location: string;
  /** Names directly under `prefix` that end with `/` (delimiter listing), without the prefix. */
  listFolders(prefix: string): Promise<string[]>;
  /** Every object under `prefix`. */
  listObjects(prefix: string): Promise<{ key: string; size: number }[]>;
  /** An object's bytes, whole or as a stream (large objects need not fit in memory). */
  download(key: string): Promise<Buffer | Readable>;
}

/** The local path of an object key under `out`, or an error when the key would leave it. */
export function localPathFor(out: string, key: string): string {
  if (!isSafeObjectKey(key)) {
    throw new TargetError(`curtain: refusing to download object "${key}": its key is not a plain relative path`, 'failed');
  }
  return path.join(out, ...key.split('/'));
}

export async function fetchRunFrom(
  store: ObjectStore,
  options: { study: string; run?: string; out: string; provider: string },
  log: (line: string) => void,
): Promise<FetchResult> {
  const { study } = options;
  const run = options.run ?? (await newestRun(store, study, options.provider, log));
  const prefix = `${runPrefix(study, run)}/`;
  const objects = await store.listObjects(prefix);
  if (objects.length === 0) {
    const runs = (await store.listFolders(`${study}/`)).sort();
    throw new TargetError(`curtain: run ${run} of ${study} is not in ${store.location}${runs.length > 0 ? ` (runs: ${runs.slice(-5).join(', ')})` : ''}`);
  }
  log(`curtain: downloading ${objects.length} objects (${objects.reduce((a, o) => a + o.size, 0)} bytes) from ${store.location}/${prefix}`);
  let bytes = 0;
  for (const [i, { key }] of objects.entries()) {
    const file = localPathFor(options.out, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.part`;
    try {
      const body = await store.download(key);
      if (body instanceof Readable) await pipeline(body, createWriteStream(part));
      else writeFileSync(part, body);
      renameSync(part, file);
    } catch (error) {
      rmSync(part, { force: true });
      throw error;
    }
    bytes += statSync(file).size;
    if ((i + 1) % 100 === 0) log(`curtain: ${i + 1}/${objects.length} objects`);
  }
  reportManifest(path.join(options.out, ...runManifestKey(study, run).split('/')), log);
  return { run, dir: path.join(options.out, study, run), files: objects.length, bytes };
}

async function newestRun(store: ObjectStore, study: string, provider: string, log: (line: string) => void): Promise<string> {
  const folders = await store.listFolders(`${study}/`);
  // Runs made by newRunId, oldest first (ids chosen by hand have no start time to order them by).
  const runs = folders.filter((r) => RUN_ID_PATTERN.test(r) && runIdStartTime(r) !== null).sort((a, b) => runIdStartTime(a)! - runIdStartTime(b)! || a.localeCompare(b));
  if (runs.length === 0) {
    throw new TargetError(
      folders.length === 0
        ? `curtain: no runs of ${study} in ${store.location} yet: start one with \`npx curtain start ${study} --provider ${provider}\``
        : `curtain: no run of ${study} in ${store.location} has a Curtain run id (found ${folders.slice(0, 5).join(', ')}); pass --run`,
    );
  }
  const run = runs[runs.length - 1]!;
  log(`curtain: newest run of ${study}: ${run} (${runs.length} run${runs.length === 1 ? '' : 's'} in ${store.location})`);
  return run;
}

/** Says what run.json reports, or why it cannot be read; never fails the fetch (the data is already saved). */
function reportManifest(file: string, log: (line: string) => void): void {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    log(code === 'ENOENT' ? 'curtain: warning: the run has no run.json (it may not have started)' : `curtain: warning: ${file} is not valid JSON`);
    return;
  }
  const parsed = RunManifest.safeParse(raw);
  if (!parsed.success) {
    log(`curtain: warning: ${file}: ${problemsFromZod(parsed.error).map(formatProblem).join('; ')}`);
    return;
  }
  const m = parsed.data;
  log(`curtain: run ${m.run}: ${m.status}, ${m.stepsCompleted} of ${m.stepsTotal} steps${m.failures.length > 0 ? `, ${m.failures.length} failure(s)` : ''}`);
}
