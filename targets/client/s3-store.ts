/**
 * An S3-compatible bucket as an ObjectStore for the provider-neutral fetch
 * (fetch-run.ts): paginated ListObjectsV2 (with `/` as the delimiter for the
 * runs of a study) and streamed GetObject. Amazon S3 and Cloudflare R2 (its
 * S3-compatible endpoint) both answer it.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { TargetError } from '../target-errors';
import type { ObjectStore } from './fetch-run';

type S3 = Pick<S3Client, 'send'>;

export function s3Store(s3: S3, bucket: string, scheme = 's3'): ObjectStore {
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
    location: `${scheme}://${bucket}`,
    listFolders: async (prefix) => (await list(prefix, true)).folders,
    listObjects: async (prefix) => (await list(prefix, false)).objects,
    async download(key) {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(response.Body instanceof Readable)) throw new TargetError(`curtain: ${scheme}://${bucket}/${key}: unexpected response body`, 'failed');
      return response.Body;
    },
  };
}
