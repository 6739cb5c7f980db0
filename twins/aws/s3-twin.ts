/**
 * The twin's S3: s3rver (a real S3 protocol server, MIT) on loopback holding
 * the stack's results bucket. Requests signed (in the Authorization header)
 * with a role's twin credentials have their SigV4 signature checked first
 * (sigv4-verify.ts; a bad one gets S3's SignatureDoesNotMatch, before any
 * permission is decided, as S3 does), then are attributed to that role and
 * decided against its policies before s3rver sees them (a denied one gets
 * S3's AccessDenied); s3rver checks the signature again, and alone checks
 * presigned (query-string) requests. Requests signed with s3rver's own key are the
 * researcher's (`curtain fetch`), outside the stack's policies.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { accessKeyOf, type CallLog, type TwinCredentials } from './call-log';
import { verifySignature } from './sigv4-verify';

// s3rver has no type declarations.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverServer;
const AWSAccount = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

interface KoaContext {
  method: string;
  path: string;
  href: string;
  /** The request target as received (path still percent-encoded, and query). */
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
  type: string;
  body: unknown;
}

interface S3rverServer {
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export interface S3Twin {
  endpoint: string;
  /** s3rver's own key: the researcher's credentials for `curtain fetch`. */
  researcher: TwinCredentials;
  close(): Promise<void>;
}

/** The IAM action and resource of an S3 REST request in path style (/bucket[/key]). */
export function s3ActionOf(method: string, path: string, query: URLSearchParams): { action: string; resource: string } {
  const [, bucket = '', ...rest] = path.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (key === '') {
    if (method === 'GET' || method === 'HEAD') return { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}` };
    return { action: `s3:${method}Bucket(unmodelled)`, resource: `arn:aws:s3:::${bucket}` };
  }
  const object = `arn:aws:s3:::${bucket}/${key}`;
  if (query.has('uploads') || query.has('uploadId')) return { action: 's3:PutObject', resource: object };
  switch (method) {
    case 'PUT':
    case 'POST':
      return { action: 's3:PutObject', resource: object };
    case 'GET':
    case 'HEAD':
      return { action: 's3:GetObject', resource: object };
    case 'DELETE':
      return { action: 's3:DeleteObject', resource: object };
    default:
      return { action: `s3:${method}(unmodelled)`, resource: object };
  }
}

export async function startS3Twin(directory: string, bucket: string, calls: CallLog): Promise<S3Twin> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.CURTAIN_TWIN_DEBUG, directory, configureBuckets: [{ name: bucket }] });
  for (const identity of calls.identities()) AWSAccount.DUMMY_ACCOUNT.createKeyPair(identity.credentials.accessKeyId, identity.credentials.secretAccessKey);
  server.middleware.unshift(async (ctx, next) => {
    const url = new URL(ctx.href);
    const key = accessKeyOf(ctx.headers.authorization, url);
    const identity = key ? calls.whoHas(key) : null;
    if (identity && ctx.headers.authorization !== undefined) {
      const signature = await verifySignature({ method: ctx.method, url: ctx.url, headers: ctx.headers, body: '' }, identity.credentials, 's3');
      if (!signature.ok) return refuse(ctx, 'SignatureDoesNotMatch', signature.reason);
    }
    if (identity) {
      const { action, resource } = s3ActionOf(ctx.method, ctx.path, url.searchParams);
      const decision = calls.authorize(identity, action, resource);
      if (!decision.allowed) return refuse(ctx, 'AccessDenied', decision.message);
    }
    await next();
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    researcher: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: '' },
    close: () => server.close(),
  };
}

/** S3's REST error shape for a refused request (403, the code and message in an XML Error document). */
function refuse(ctx: KoaContext, code: string, message: string): void {
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
