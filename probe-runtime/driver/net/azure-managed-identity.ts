/**
 * Managed identity tokens on Azure Functions / App Service: the platform sets
 * IDENTITY_ENDPOINT and IDENTITY_HEADER in the app's environment, and answers
 * token requests for the app's identity (AZURE_CLIENT_ID selects a
 * user-assigned identity). No secret is stored anywhere.
 */
import { z } from 'zod';
import { DriverConfigError } from '../errors';
import { CachedToken } from './cached-token';
import { httpRequest } from './http-request';

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_on: z.union([z.string(), z.number()]) });

export function managedIdentityToken(resource: string, env: NodeJS.ProcessEnv = process.env): CachedToken {
  const endpoint = env.IDENTITY_ENDPOINT;
  const secret = env.IDENTITY_HEADER;
  if (!endpoint || !secret) {
    throw new DriverConfigError('IDENTITY_ENDPOINT and IDENTITY_HEADER are not set: enable the Function App\'s managed identity');
  }
  return new CachedToken(async () => {
    const url = new URL(endpoint);
    url.searchParams.set('resource', resource);
    url.searchParams.set('api-version', '2019-08-01');
    if (env.AZURE_CLIENT_ID) url.searchParams.set('client_id', env.AZURE_CLIENT_ID);
    const res = await httpRequest({ method: 'GET', url, headers: { 'x-identity-header': secret }, timeoutMs: 10_000 });
    const text = res.body.toString('utf8');
    if (res.status !== 200) throw new Error(`managed identity endpoint: HTTP ${res.status} ${text.slice(0, 200)}`);
    const parsed = TokenAnswer.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error('managed identity endpoint: unexpected answer');
    return { token: parsed.data.access_token, expiresAt: Number(parsed.data.expires_on) * 1000 };
  });
}
