/**
 * Downloads one run from the results bucket into a local directory in the
 * bucket layout (<out>/<study>/<run>/plan.json, run.json, steps/...).
 *
 * Each object is streamed to `<file>.part` and renamed when complete, so an
 * interrupted fetch never leaves a truncated JSONL file that looks whole. Keys
 * that would escape the destination (`..`, absolute paths) are refused.
 */
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CliError, EXIT } from '../../../cli/cli-error';
import { formatProblem, problemsFromZod } from '../../../experiments/errors';
import { RUN_ID_PATTERN, runManifestKey, runPrefix } from '../../../probe-runtime/contracts/bucket-layout';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';

type S3 = Pick<S3Client, 'send'>;

export interface FetchRunOptions {
  bucket: string;
  study: string;
  /** The newest run (by run id, which sorts by start time) when absent. */
  run?: string;
  out: string;
  log?: (line: string) => void;
}

export interface FetchedRun {
  run: string;
  dir: string;
  files: number;
  bytes: number;
}

/** Run ids present under `<study>/`, sorted oldest first. */
export async function listRuns(s3: S3, bucket: string, study: string): Promise<string[]> {
  const prefix = `${runPrefix(study, '')}`;
  const runs: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) runs.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return runs.sort();
}

async function listKeys(s3: S3, bucket: string, prefix: string): Promise<{ key: string; size: number }[]> {
  const keys: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) keys.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** The local path of an object key under `out`, or an error when the key would leave it. */
export function localPathFor(out: string, key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '') || /[\\:]/.test(key)) {
    throw new CliError(`curtain: refusing to download object "${key}": its key is not a plain relative path`, EXIT.failed);
  }
  return path.join(out, ...parts);
}

export async function fetchRun(s3: S3, options: FetchRunOptions): Promise<FetchedRun> {
  const log = options.log ?? (() => {});
  const { bucket, study } = options;
  let run = options.run;
  if (!run) {
    const runs = await listRuns(s3, bucket, study);
    const curtainRuns = runs.filter((r) => RUN_ID_PATTERN.test(r));
    if (curtainRuns.length === 0) {
      throw new CliError(
        runs.length === 0
          ? `curtain: no runs of ${study} in s3://${bucket}/ yet: start one with \`npx curtain start ${study} --provider aws\``
          : `curtain: no run of ${study} in s3://${bucket}/ has a Curtain run id (found ${runs.slice(0, 5).join(', ')}); pass --run`,
        EXIT.usage,
      );
    }
    run = curtainRuns[curtainRuns.length - 1]!;
    log(`curtain: newest run of ${study}: ${run} (${curtainRuns.length} run${curtainRuns.length === 1 ? '' : 's'} in s3://${bucket}/${study}/)`);
  }
  const prefix = `${runPrefix(study, run)}/`;
  const objects = await listKeys(s3, bucket, prefix);
  if (objects.length === 0) {
    const runs = await listRuns(s3, bucket, study);
    throw new CliError(
      `curtain: run ${run} of ${study} is not in s3://${bucket}/${runs.length > 0 ? ` (runs: ${runs.slice(-5).join(', ')})` : ''}`,
      EXIT.usage,
    );
  }
  const total = objects.reduce((a, o) => a + o.size, 0);
  log(`curtain: downloading ${objects.length} objects (${total} bytes) from s3://${bucket}/${prefix}`);
  let bytes = 0;
  let done = 0;
  for (const { key } of objects) {
    const file = localPathFor(options.out, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!(response.Body instanceof Readable)) throw new CliError(`curtain: s3://${bucket}/${key}: unexpected response body`, EXIT.failed);
    const part = `${file}.part`;
    try {
      await pipeline(response.Body, createWriteStream(part));
      renameSync(part, file);
    } catch (error) {
      rmSync(part, { force: true });
      throw error;
    }
    bytes += statSync(file).size;
    done += 1;
    if (done % 100 === 0) log(`curtain: ${done}/${objects.length} objects`);
  }
  reportManifest(path.join(options.out, ...runManifestKey(study, run).split('/')), log);
  return { run, dir: path.join(options.out, study, run), files: objects.length, bytes };
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
