/**
 * Results in Azure Blob Storage through the REST API (Put Blob / Get Blob),
 * hand-rolled to keep the driver bundle small. Put Blob of a block blob
 * replaces it in one operation. Deployed drivers authenticate with the
 * Function App's managed identity (no key anywhere); tests and key-based
 * setups use a connection string (Shared Key). Storage encrypts every blob at
 * rest; plain http is refused except towards a loopback emulator (azurite).
 */
import type { CachedToken } from '../net/cached-token';
import { managedIdentityToken } from '../net/azure-managed-identity';
import { httpRequest, requireTlsUnlessLoopback } from '../net/http-request';
import { DriverConfigError } from '../errors';
import { parseConnectionString, sharedKeyAuthorization } from './azure-shared-key';
import { assertSafeKey, type ResultSink } from './result-sink';

/** A REST version that accepts bearer tokens (≥ 2017-11-09) and that azurite 3.35 serves. */
export const BLOB_API_VERSION = '2023-11-03';
const STORAGE_RESOURCE = 'https://storage.azure.com/';
const REQUEST_TIMEOUT_MS = 60_000;

export type BlobCredential = { kind: 'shared-key'; account: string; key: string } | { kind: 'token'; token: CachedToken };

export interface BlobSinkOptions {
  /** Blob service endpoint, e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1. */
  endpoint: string;
  container: string;
  credential: BlobCredential;
}

export function createBlobSink(options: BlobSinkOptions): ResultSink {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  requireTlsUnlessLoopback(new URL(endpoint), 'blob endpoint');
  const blobUrl = (key: string) => {
    assertSafeKey(key);
    return new URL(`${endpoint}/${encodeURIComponent(options.container)}/${key.split('/').map(encodeURIComponent).join('/')}`);
  };
  const send = async (method: 'GET' | 'PUT', url: URL, headers: Record<string, string>, body?: string) => {
    const all: Record<string, string> = { ...headers, 'x-ms-date': new Date().toUTCString(), 'x-ms-version': BLOB_API_VERSION };
    if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body));
    if (options.credential.kind === 'shared-key') {
      all.authorization = sharedKeyAuthorization(options.credential.account, options.credential.key, method, url, all);
    } else {
      all.authorization = `Bearer ${await options.credential.token.get()}`;
    }
    return httpRequest({ method, url, headers: all, body, timeoutMs: REQUEST_TIMEOUT_MS });
  };
  return {
    location: `${endpoint}/${options.container}`,
    async put(key, body, contentType) {
      const res = await send('PUT', blobUrl(key), { 'content-type': contentType, 'x-ms-blob-type': 'BlockBlob' }, body);
      if (res.status !== 201) throw new Error(`Put Blob ${key}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    },
    async get(key) {
      const res = await send('GET', blobUrl(key), {});
      if (res.status === 404 && res.headers['x-ms-error-code'] === 'BlobNotFound') return null;
      if (res.status !== 200) throw new Error(`Get Blob ${key}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
      return res.body.toString('utf8');
    },
  };
}

/**
 * The Blob sink as a Function App configures it:
 *   CURTAIN_BUCKET            the results container;
 *   CURTAIN_STORAGE_ACCOUNT   the storage account, reached with the managed identity
 *                             (IDENTITY_ENDPOINT / IDENTITY_HEADER, set by the platform);
 *   CURTAIN_STORAGE_CONNECTION_STRING  instead of the two above where a key is used (azurite).
 */
export function blobSinkFromEnv(env: NodeJS.ProcessEnv = process.env): ResultSink {
  const container = env.CURTAIN_BUCKET;
  if (!container) throw new DriverConfigError('CURTAIN_BUCKET is not set (the results container)');
  if (env.CURTAIN_STORAGE_CONNECTION_STRING) {
    const cs = parseConnectionString(env.CURTAIN_STORAGE_CONNECTION_STRING);
    return createBlobSink({ endpoint: cs.blobEndpoint, container, credential: { kind: 'shared-key', account: cs.account, key: cs.key } });
  }
  const account = env.CURTAIN_STORAGE_ACCOUNT;
  if (!account) throw new DriverConfigError('CURTAIN_STORAGE_ACCOUNT is not set (the results storage account)');
  return createBlobSink({
    endpoint: `https://${account}.blob.core.windows.net`,
    container,
    credential: { kind: 'token', token: managedIdentityToken(STORAGE_RESOURCE, env) },
  });
}
