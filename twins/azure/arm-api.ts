/**
 * The part of Azure Resource Manager the driver and `curtain start` call, on
 * the twin's front door as https://management.azure.com (api-version
 * 2024-04-01, Microsoft.Web "Web Apps" REST reference, read 2026-12-06):
 *
 *   POST  {site}/config/appsettings/list   Microsoft.Web/sites/config/list/action
 *   PUT   {site}/config/appsettings        Microsoft.Web/sites/config/write (replaces every setting)
 *   PATCH {site}                           Microsoft.Web/sites/write (Flex instance memory)
 *   POST  {site}/host/default/listkeys     Microsoft.Web/sites/host/listkeys/action
 *
 * Every call carries a managed identity token for https://management.azure.com/
 * and is decided by RBAC on the site's scope; a call not allowed is answered
 * 403 AuthorizationFailed, as ARM answers it.
 */
import { audienceMatches, type ManagedIdentityEndpoint } from './managed-identity';
import type { AzureCallLog } from './azure-calls';
import type { LiveApps } from './live-apps';

export interface ServiceReply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

const json = (status: number, body: unknown): ServiceReply => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const armError = (status: number, code: string, message: string) => json(status, { error: { code, message } });

const SITE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+)(\/.*)?$/i;

export async function answerArm(
  request: { method: string; url: URL; authorization: string | undefined; body: Buffer },
  deps: { identities: ManagedIdentityEndpoint; calls: AzureCallLog; apps: LiveApps },
): Promise<ServiceReply> {
  const token = deps.identities.ownerOf(request.authorization);
  if (!token) return armError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or its token was not issued for this twin.');
  if (!audienceMatches(token.resource, 'https://management.azure.com/')) {
    return armError(401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${token.resource}'.`);
  }
  const match = SITE.exec(request.url.pathname);
  const app = match ? deps.apps.byId(match[1]!) : undefined;
  const suffix = (match?.[2] ?? '').replace(/\/+$/, '').toLowerCase();
  const operation =
    request.method === 'POST' && suffix === '/config/appsettings/list'
      ? 'Microsoft.Web/sites/config/list/action'
      : request.method === 'PUT' && suffix === '/config/appsettings'
        ? 'Microsoft.Web/sites/config/write'
        : request.method === 'PATCH' && suffix === ''
          ? 'Microsoft.Web/sites/write'
          : request.method === 'POST' && suffix === '/host/default/listkeys'
            ? 'Microsoft.Web/sites/host/listkeys/action'
            : null;
  if (!operation) return armError(404, 'NotModelled', `${request.method} ${request.url.pathname} is not an operation the Azure twin serves`);
  const scope = match![1]!;
  if (!deps.calls.authorize(token.principalId, operation, scope, false)) {
    return armError(
      403,
      'AuthorizationFailed',
      `The client '${token.principalId}' with object id '${token.principalId}' does not have authorization to perform action '${operation}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  if (!app) return armError(404, 'ResourceNotFound', `The Resource '${scope}' was not found.`);
  if (request.url.searchParams.get('api-version') === null) return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  switch (operation) {
    case 'Microsoft.Web/sites/config/list/action':
      return json(200, { id: `${app.spec.id}/config/appsettings`, name: 'appsettings', type: 'Microsoft.Web/sites/config', properties: app.settings });
    case 'Microsoft.Web/sites/config/write': {
      const properties = parseBody(request.body)?.properties;
      if (!properties || typeof properties !== 'object') return armError(400, 'BadRequest', 'expected {"properties": {...}}');
      app.settings = Object.fromEntries(Object.entries(properties as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      deps.apps.changed(app);
      return json(200, { id: `${app.spec.id}/config/appsettings`, name: 'appsettings', type: 'Microsoft.Web/sites/config', properties: app.settings });
    }
    case 'Microsoft.Web/sites/write': {
      const memory = (parseBody(request.body) as { properties?: { functionAppConfig?: { scaleAndConcurrency?: { instanceMemoryMB?: unknown } } } } | null)?.properties?.functionAppConfig?.scaleAndConcurrency
        ?.instanceMemoryMB;
      if (app.spec.hosting !== 'flex' || typeof memory !== 'number') return armError(400, 'BadRequest', 'the twin models PATCH of a Flex app\'s instanceMemoryMB only');
      app.memoryMb = memory;
      deps.apps.changed(app);
      return json(200, { id: app.spec.id, name: app.spec.name, properties: { functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: memory } } } });
    }
    default:
      return json(200, { masterKey: app.keys.masterKey, functionKeys: { default: app.spec.defaultFunctionKey }, systemKeys: {} });
  }
}

function parseBody(body: Buffer): Record<string, unknown> | null {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
