/**
 * Where the driver writes a run's files (bucket-layout.ts gives the keys).
 * Every put replaces the whole object in one operation (S3 PutObject, Blob
 * Put Blob, a GCS media upload, a local rename), so a reader sees either the
 * previous shard or the new one, never half of it, and a retried shard
 * overwrites its own key instead of adding records.
 */
import { isSafeObjectKey } from '../../contracts/bucket-layout';

export interface ResultSink {
  /** Where the results go, for logs and summaries, e.g. `s3://bucket`, `file:///tmp/results`. */
  readonly location: string;
  put(key: string, body: string, contentType: string): Promise<void>;
  /** The object's text, or null when it does not exist. */
  get(key: string): Promise<string | null>;
}

export const JSONL_CONTENT_TYPE = 'application/x-ndjson';
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * Keys come from bucket-layout.ts with ids the driver validated, but a sink is
 * also the last line of defence against a key escaping its prefix.
 */
export function assertSafeKey(key: string): void {
  if (!isSafeObjectKey(key)) throw new Error(`unsafe result key "${key}"`);
}
