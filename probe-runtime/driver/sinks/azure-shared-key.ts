/**
 * Azure Storage "Shared Key" request signing (version 2009-09-19 and later),
 * for azurite in tests and for users who deploy with an account key. Deployed
 * drivers use their managed identity instead (azure-blob.ts).
 */
import { createHmac } from 'node:crypto';

const SIGNED_STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

/** The Authorization header value for a request whose headers are final (lower-case names). */
export function sharedKeyAuthorization(account: string, base64Key: string, method: string, url: URL, headers: Record<string, string>): string {
  const standard = SIGNED_STANDARD_HEADERS.map((name) => {
    const value = headers[name] ?? '';
    // Since 2015-02-21 a zero Content-Length is signed as the empty string.
    return name === 'content-length' && value === '0' ? '' : value;
  });
  const msHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]!.trim()}\n`)
    .join('');
  const query = [...url.searchParams.keys()]
    .map((k) => k.toLowerCase())
    .sort()
    .map((k) => `\n${k}:${url.searchParams.getAll(k).sort().join(',')}`)
    .join('');
  const resource = `/${account}${url.pathname}${query}`;
  const stringToSign = `${method}\n${standard.join('\n')}\n${msHeaders}${resource}`;
  const signature = createHmac('sha256', Buffer.from(base64Key, 'base64')).update(stringToSign, 'utf8').digest('base64');
  return `SharedKey ${account}:${signature}`;
}

export interface ConnectionString {
  account: string;
  key: string;
  /** Blob service endpoint without a trailing slash. */
  blobEndpoint: string;
}

/** `DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...;BlobEndpoint=...` (the azurite form included). */
export function parseConnectionString(text: string): ConnectionString {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const account = fields.get('AccountName');
  const key = fields.get('AccountKey');
  if (!account || !key) throw new Error('the storage connection string needs AccountName and AccountKey');
  const protocol = fields.get('DefaultEndpointsProtocol') ?? 'https';
  const suffix = fields.get('EndpointSuffix') ?? 'core.windows.net';
  const blobEndpoint = (fields.get('BlobEndpoint') ?? `${protocol}://${account}.blob.${suffix}`).replace(/\/+$/, '');
  return { account, key, blobEndpoint };
}
