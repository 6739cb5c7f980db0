/**
 * Results in S3. PutObject replaces an object atomically; every object is
 * written with server-side encryption (SSE-S3 by default, SSE-KMS when the
 * stack gives a key), whatever the bucket's default, so encryption does not
 * depend on a bucket setting someone could change.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { assertSafeKey, type ResultSink } from './result-sink';

export interface S3SinkOptions {
  bucket: string;
  /** SSE-KMS key id/ARN; absent: SSE-S3 (AES256). */
  kmsKeyId?: string;
  region?: string;
  /** Endpoint override (tests use s3rver on loopback; path-style addressing is implied). */
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
}

export function createS3Sink(options: S3SinkOptions): ResultSink {
  const client = new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const encryption = options.kmsKeyId
    ? ({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId } as const)
    : ({ ServerSideEncryption: 'AES256' } as const);
  return {
    location: `s3://${options.bucket}`,
    async put(key, body, contentType) {
      assertSafeKey(key);
      await client.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ContentType: contentType, ...encryption }));
    },
    async get(key) {
      assertSafeKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        return (await out.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return null;
        throw error;
      }
    },
  };
}
