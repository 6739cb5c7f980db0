/**
 * The results account's Blob service as the driver reaches it,
 * https://<account>.blob.core.windows.net on the twin's front door: each
 * request's bearer token (a managed identity token for https://storage.azure.com/)
 * is decided by RBAC on the blob's or container's scope, as Azure Storage does
 * for Entra ID requests ("Authorize access to blobs using Microsoft Entra ID",
 * permissions per operation, learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory,
 * read 2026-12-06); an allowed request goes on to azurite (the storage protocol
 * itself: containers, blobs, listings, errors), signed there with the account's
 * key, which only the twin holds. A denied one is 403 AuthorizationPermissionMismatch.
 */
import { sharedKeyAuthorization } from '../../probe-runtime/driver/sinks/azure-shared-key';
import type { ServiceReply } from './arm-api';
import type { AzureCallLog } from './azure-calls';
import { audienceMatches, type ManagedIdentityEndpoint } from './managed-identity';

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const FORWARDED = ['content-type', 'content-md5', 'content-encoding', 'content-language', 'if-match', 'if-none-match', 'range'];

export interface TwinStorageAccount {
  name: string;
  id: string;
  /** The key azurite knows the account by. */
  key: string;
}

const storageError = (status: number, code: string, message: string): ServiceReply => ({
  status,
  headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
  body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

/** The data action a Blob REST operation needs, and the scope it acts on. */
export function blobOperation(method: string, url: URL, accountId: string): { action: string; resource: string } | null {
  const [container, ...blob] = url.pathname.replace(/^\/+/, '').split('/').map(decodeURIComponent);
  if (!container) return null;
  const containerScope = `${accountId}/blobServices/default/containers/${container}`;
  if (blob.length === 0) {
    const listing = method === 'GET' && url.searchParams.get('restype') === 'container' && url.searchParams.get('comp') === 'list';
    return listing ? { action: `${BLOBS}/read`, resource: containerScope } : null;
  }
  const resource = `${containerScope}/blobs/${blob.join('/')}`;
  if (url.searchParams.has('comp')) return null;
  if (method === 'GET' || method === 'HEAD') return { action: `${BLOBS}/read`, resource };
  if (method === 'PUT') return { action: `${BLOBS}/write`, resource };
  if (method === 'DELETE') return { action: `${BLOBS}/delete`, resource };
  return null;
}

export async function answerBlob(
  request: { method: string; url: URL; headers: Record<string, string | string[] | undefined>; body: Buffer },
  account: TwinStorageAccount,
  deps: { identities: ManagedIdentityEndpoint; calls: AzureCallLog; azurite: string },
): Promise<ServiceReply> {
  const authorization = request.headers.authorization;
  const token = deps.identities.ownerOf(Array.isArray(authorization) ? authorization[0] : authorization);
  if (!token) return storageError(401, 'NoAuthenticationInformation', 'Server failed to authenticate the request: no token issued by the twin.');
  if (!audienceMatches(token.resource, 'https://storage.azure.com/')) {
    return storageError(401, 'InvalidAuthenticationInfo', `Audience validation failed. Audience did not match: ${token.resource}`);
  }
  const operation = blobOperation(request.method, request.url, account.id);
  if (!operation) return storageError(400, 'UnsupportedHttpVerb', `${request.method} ${request.url.pathname}${request.url.search} is not a Blob operation the Azure twin serves`);
  if (!deps.calls.authorize(token.principalId, operation.action, operation.resource, true)) {
    return storageError(403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');
  }
  const target = new URL(`${deps.azurite}/${account.name}${request.url.pathname}${request.url.search}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v !== undefined && (name.startsWith('x-ms-') || FORWARDED.includes(name))) headers[name] = v;
  }
  headers['x-ms-date'] = new Date().toUTCString();
  if (request.body.length > 0 || request.method === 'PUT') headers['content-length'] = String(request.body.length);
  headers.authorization = sharedKeyAuthorization(account.name, account.key, request.method, target, headers);
  const res = await fetch(target, { method: request.method, headers, body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body });
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!['connection', 'transfer-encoding', 'content-length', 'keep-alive', 'server'].includes(name)) out[name] = value;
  });
  return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
}
