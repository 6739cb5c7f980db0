/**
 * Results in Google Cloud Storage through the JSON API: a media upload
 * (one request, atomic replacement of the object) and `alt=media` downloads,
 * authenticated with the function's service account token from the metadata
 * server. Objects are encrypted at rest by GCS (with the bucket's CMEK key when
 * the stack sets one).
 */
import type { CachedToken } from '../net/cached-token';
import { metadataAccessToken } from '../net/gcp-metadata';
import { httpRequest, requireTlsUnlessLoopback } from '../net/http-request';
import { DriverConfigError } from '../errors';
import { assertSafeKey, type ResultSink } from './result-sink';

const REQUEST_TIMEOUT_MS = 60_000;

export interface GcsSinkOptions {
  bucket: string;
  token: CachedToken;
  /** API root; STORAGE_EMULATOR_HOST points it at an emulator (gcsSinkFromEnv). */
  apiRoot?: string;
}

export function createGcsSink(options: GcsSinkOptions): ResultSink {
  const root = (options.apiRoot ?? 'https://storage.googleapis.com').replace(/\/+$/, '');
  requireTlsUnlessLoopback(new URL(root), 'GCS endpoint');
  const bucket = encodeURIComponent(options.bucket);
  return {
    location: `gs://${options.bucket}`,
    async put(key, body, contentType) {
      assertSafeKey(key);
      const url = new URL(`${root}/upload/storage/v1/b/${bucket}/o`);
      url.searchParams.set('uploadType', 'media');
      url.searchParams.set('name', key);
      const headers = { authorization: `Bearer ${await options.token.get()}`, 'content-type': contentType };
      const res = await httpRequest({ method: 'POST', url, headers, body, timeoutMs: REQUEST_TIMEOUT_MS });
      if (res.status !== 200) throw new Error(`GCS upload ${key}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    },
    async get(key) {
      assertSafeKey(key);
      const url = new URL(`${root}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}?alt=media`);
      const res = await httpRequest({ method: 'GET', url, headers: { authorization: `Bearer ${await options.token.get()}` }, timeoutMs: REQUEST_TIMEOUT_MS });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`GCS download ${key}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
      return res.body.toString('utf8');
    },
  };
}

/**
 * CURTAIN_BUCKET names the results bucket; the token comes from the metadata server.
 * STORAGE_EMULATOR_HOST, the override Google's storage client libraries honour
 * (an API root such as http://127.0.0.1:9023, the scheme optional), points it
 * at an emulator: the Google twin's, the tests' loopback servers.
 */
export function gcsSinkFromEnv(env: NodeJS.ProcessEnv = process.env): ResultSink {
  const bucket = env.CURTAIN_BUCKET;
  if (!bucket) throw new DriverConfigError('CURTAIN_BUCKET is not set (the results bucket)');
  const emulator = env.STORAGE_EMULATOR_HOST;
  const apiRoot = emulator ? (/^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`) : undefined;
  return createGcsSink({ bucket, token: metadataAccessToken(env), ...(apiRoot ? { apiRoot } : {}) });
}
