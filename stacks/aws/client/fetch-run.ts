/**
 * The results bucket as an ObjectStore for the provider-neutral fetch
 * (targets/client/fetch-run.ts): paginated ListObjectsV2 (with `/` as the
 * delimiter for the runs of a study) and streamed GetObject.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { TargetError } from '../../../targets/target-errors';
import type { FetchResult } from '../../../targets/client/provider-client';
import { fetchRunFrom, type ObjectStore } from '../../../targets/client/fetch-run';

type S3 = Pick<S3Client, 'send'>;

export interface FetchRunOptions {
  bucket: string;
  study: string;
  /** The newest run (by run id, which sorts by start time) when absent. */
  run?: string;
  out: string;
  log?: (line: string) => void;
}

export function s3Store(s3: S3, bucket: string): ObjectStore {
  const list = async (prefix: string, delimiter: boolean) => {
    const objects: { key: string; size: number }[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter ? '/' : undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) objects.push({ key: o.Key, size: o.Size ?? 0 });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { objects, folders };
  };
  return {
    location: `s3://${bucket}`,
    listFolders: async (prefix) => (await list(prefix, true)).folders,
    listObjects: async (prefix) => (await list(prefix, false)).objects,
    async download(key) {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(response.Body instanceof Readable)) throw new TargetError(`curtain: s3://${bucket}/${key}: unexpected response body`, 'failed');
      return response.Body;
    },
  };
}

export function fetchRun(s3: S3, options: FetchRunOptions): Promise<FetchResult> {
  return fetchRunFrom(s3Store(s3, options.bucket), { study: options.study, run: options.run, out: options.out, provider: 'aws' }, options.log ?? (() => {}));
}
