/**
 * The results bucket as an ObjectStore for the provider-neutral fetch
 * (targets/client/fetch-run.ts): paginated ListObjectsV2 (with `/` as the
 * delimiter for the runs of a study) and streamed GetObject, in
 * targets/client/s3-store.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { FetchResult } from '../../../targets/client/provider-client';
import { fetchRunFrom } from '../../../targets/client/fetch-run';
import { s3Store } from '../../../targets/client/s3-store';

type S3 = Pick<S3Client, 'send'>;

export interface FetchRunOptions {
  bucket: string;
  study: string;
  /** The newest run (by run id, which sorts by start time) when absent. */
  run?: string;
  out: string;
  log?: (line: string) => void;
}

export function fetchRun(s3: S3, options: FetchRunOptions): Promise<FetchResult> {
  return fetchRunFrom(s3Store(s3, options.bucket), { study: options.study, run: options.run, out: options.out, provider: 'aws' }, options.log ?? (() => {}));
}
