/**
 * Signature Version 4 checks for the twin's services: the signature of a
 * request signed in the Authorization header is recomputed with the
 * credentials the twin issued to the signing identity, by the AWS SDK's own
 * signer (@smithy/signature-v4, Apache-2.0), over exactly the headers the
 * request says it signed. A request whose signature differs is refused as AWS
 * refuses it (Lambda: 403 InvalidSignatureException; S3: 403
 * SignatureDoesNotMatch), before any permission is decided.
 * Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html (read 2026-12-06).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TwinCredentials } from './call-log';

/** What the signer needs of a hash: the SDK's `HashConstructor` contract, over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface SignedRequest {
  method: string;
  /** The request target as received: the path (still percent-encoded) and the query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body, for services that sign its hash without an x-amz-content-sha256 header (Lambda). */
  body: string;
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Checks a request's Authorization header against `credentials`. `service` is
 * the signing name the service expects; S3 signs its path as sent (no second
 * escaping) and always states its payload hash in x-amz-content-sha256.
 */
export async function verifySignature(request: SignedRequest, credentials: TwinCredentials, service: 'lambda' | 's3'): Promise<SignatureCheck> {
  const header = request.headers.authorization;
  const match = header?.match(AUTHORIZATION);
  if (!match) return { ok: false, reason: 'the Authorization header is not an AWS4-HMAC-SHA256 signature' };
  const [, accessKeyId, day, region, scopeService, signedHeaderList, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: 'the credential is not the signing identity' };
  if (scopeService !== service) return { ok: false, reason: `Credential should be scoped to correct service: '${service}'.` };
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = amzDate.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!date || amzDate.slice(0, 8) !== day) return { ok: false, reason: 'X-Amz-Date is missing or does not match the credential scope' };
  if (service === 's3' && request.headers['x-amz-content-sha256'] === undefined) return { ok: false, reason: 'Missing required header for this request: x-amz-content-sha256' };
  // A stated payload hash is what the signature covers: it must be the body's (S3's body is checked by s3rver as it streams).
  const statedHash = request.headers['x-amz-content-sha256'];
  if (service !== 's3' && statedHash !== undefined && statedHash !== createHash('sha256').update(request.body, 'utf8').digest('hex')) {
    return { ok: false, reason: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  if ((request.headers['x-amz-security-token'] ?? '') !== credentials.sessionToken) return { ok: false, reason: 'The security token included in the request is invalid.' };

  const signed = signedHeaderList!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `the signed header ${name} is missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.url, 'http://twin');
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prior = query[key];
    query[key] = prior === undefined ? value : [prior, value].flat();
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
    region: region!,
    service,
    sha256: Sha256,
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
  const rawPath = request.url.split('?')[0] ?? '/';
  const [host, port] = (headers.host ?? '').split(':');
  const expected = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: host ?? '', ...(port ? { port: Number(port) } : {}), path: rawPath, query, headers, body: request.body },
    {
      signingDate: new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]))),
      signableHeaders: new Set(signed),
    },
  );
  const recomputed = String(expected.headers.authorization ?? '').match(/Signature=([0-9a-f]{64})/)?.[1];
  return recomputed === signature
    ? { ok: true }
    : { ok: false, reason: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
}
