/**
 * Downloads one run from an object store (a GCS bucket, an Azure Blob
 * container) into <out>/<study>/<run>/ in the bucket layout. Each object goes
 * to `<file>.part` and is renamed when complete, so an interrupted fetch never
 * leaves a truncated JSONL file that looks whole; keys that would leave the
 * destination are refused.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../../../cli/cli-error';
import type { FetchResult } from '../../../cli/providers/provider-client';
import { RUN_ID_PATTERN, runPrefix } from '../../../probe-runtime/contracts/bucket-layout';

export interface ObjectStore {
  /** How to name the store in messages, e.g. gs://bucket or https://acct.blob.core.windows.net/results. */
  location: string;
  /** Names directly under `prefix` that end with `/` (delimiter listing), without the prefix. */
  listFolders(prefix: string): Promise<string[]>;
  /** Every object under `prefix`. */
  listObjects(prefix: string): Promise<{ key: string; size: number }[]>;
  download(key: string): Promise<Buffer>;
}

export function localPathFor(out: string, key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '') || /[\\:]/.test(key)) {
    throw new CliError(`curtain: refusing to download object "${key}": its key is not a plain relative path`, EXIT.failed);
  }
  return path.join(out, ...parts);
}

export async function fetchRunFrom(
  store: ObjectStore,
  options: { study: string; run?: string; out: string; provider: string },
  log: (line: string) => void,
): Promise<FetchResult> {
  const { study } = options;
  let run = options.run;
  if (!run) {
    const runs = (await store.listFolders(`${study}/`)).filter((r) => RUN_ID_PATTERN.test(r)).sort();
    if (runs.length === 0) {
      throw new CliError(`curtain: no runs of ${study} in ${store.location} yet: start one with \`npx curtain start ${study} --provider ${options.provider}\``, EXIT.usage);
    }
    run = runs[runs.length - 1]!;
    log(`curtain: newest run of ${study}: ${run} (${runs.length} in ${store.location})`);
  }
  const objects = await store.listObjects(`${runPrefix(study, run)}/`);
  if (objects.length === 0) throw new CliError(`curtain: run ${run} of ${study} is not in ${store.location}`, EXIT.usage);
  log(`curtain: downloading ${objects.length} objects (${objects.reduce((a, o) => a + o.size, 0)} bytes) from ${store.location}/${runPrefix(study, run)}/`);
  let bytes = 0;
  for (const [i, { key }] of objects.entries()) {
    const file = localPathFor(options.out, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.part`;
    try {
      const body = await store.download(key);
      writeFileSync(part, body);
      renameSync(part, file);
      bytes += body.length;
    } catch (error) {
      rmSync(part, { force: true });
      throw error;
    }
    if ((i + 1) % 100 === 0) log(`curtain: ${i + 1}/${objects.length} objects`);
  }
  return { run, dir: path.join(options.out, study, run), files: objects.length, bytes };
}
