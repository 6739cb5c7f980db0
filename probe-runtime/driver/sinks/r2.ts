/**
 * The result sink on Cloudflare: the R2 bucket bound to the driver Worker. An
 * R2 put replaces the whole object in one operation, so a retried shard
 * overwrites its own key (result-sink.ts).
 */
import { assertSafeKey, type ResultSink } from './result-sink';

/** What an R2 bucket binding offers (Workers' `R2Bucket`, the subset used). */
export interface R2BucketBinding {
  put(key: string, value: string, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
  get(key: string): Promise<{ text(): Promise<string> } | null>;
}

export function r2Sink(bucket: R2BucketBinding, name: string): ResultSink {
  return {
    location: `r2://${name}`,
    async put(key, body, contentType) {
      assertSafeKey(key);
      await bucket.put(key, body, { httpMetadata: { contentType } });
    },
    async get(key) {
      assertSafeKey(key);
      const object = await bucket.get(key);
      return object ? object.text() : null;
    },
  };
}
