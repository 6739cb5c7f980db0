/**
 * The managed identity endpoint App Service gives a Function App
 * (IDENTITY_ENDPOINT, IDENTITY_HEADER; "How to use managed identities for App
 * Service and Azure Functions", REST protocol 2019-08-01,
 * learn.microsoft.com/azure/app-service/overview-managed-identity, read
 * 2026-12-06): GET ?resource=<audience>&api-version=2019-08-01[&client_id=]
 * with the header X-IDENTITY-HEADER answers a bearer token for the app's
 * system-assigned identity (or the user-assigned one client_id names). The
 * twin's tokens are opaque: the services it serves map a token back to its
 * principal and audience, and refuse one issued for another audience.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwinFunctionApp } from './terraform-stack';

export interface IssuedToken {
  principalId: string;
  resource: string;
}

export class ManagedIdentityEndpoint {
  private readonly secrets = new Map<string, TwinFunctionApp>();
  private readonly tokens = new Map<string, IssuedToken>();
  private constructor(
    private readonly server: http.Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<ManagedIdentityEndpoint> {
    let self: ManagedIdentityEndpoint | null = null;
    const server = http.createServer((req, res) => self!.answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new ManagedIdentityEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`);
    return self;
  }

  /** The environment App Service gives an app with a managed identity (none for an app without one). */
  environmentOf(app: TwinFunctionApp): Record<string, string> {
    if (!app.principalId && Object.keys(app.userIdentities).length === 0) return {};
    const secret = randomBytes(16).toString('hex');
    this.secrets.set(secret, app);
    return { IDENTITY_ENDPOINT: this.endpoint, IDENTITY_HEADER: secret };
  }

  /** A token for a principal outside the stack's apps (the researcher's `az` login). */
  issue(principalId: string, resource: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { principalId, resource });
    return token;
  }

  /** Who a bearer token belongs to, or null for one the endpoint did not issue. */
  ownerOf(authorization: string | undefined): IssuedToken | null {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return token ? (this.tokens.get(token) ?? null) : null;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.endpoint);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const app = this.secrets.get(String(req.headers['x-identity-header'] ?? ''));
    if (req.method !== 'GET' || url.pathname !== '/msi/token' || !app) return reply(400, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
    const resource = url.searchParams.get('resource');
    if (!resource || url.searchParams.get('api-version') !== '2019-08-01') return reply(400, { error: 'invalid_request', error_description: 'resource and api-version=2019-08-01 are required' });
    const clientId = url.searchParams.get('client_id');
    const principalId = clientId ? app.userIdentities[clientId] : app.principalId;
    if (!principalId) return reply(400, { error: 'invalid_request', error_description: `no managed identity ${clientId ?? '(system-assigned)'} on ${app.name}` });
    const token = this.issue(principalId, resource);
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    reply(200, { access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: clientId ?? principalId });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Whether a token's audience is the service's (Entra compares the resource URI, trailing slash optional). */
export function audienceMatches(issued: string, service: string): boolean {
  return issued.replace(/\/+$/, '').toLowerCase() === service.replace(/\/+$/, '').toLowerCase();
}
