/**
 * Tokens from the Google Cloud metadata server, which every Cloud Function /
 * Cloud Run instance reaches without credentials on disk. GCE_METADATA_HOST
 * (the variable Google's own client libraries honour) points it elsewhere:
 * the tests use a loopback server.
 */
import { z } from 'zod';
import { CachedToken, type ExpiringToken, jwtExpiry } from './cached-token';
import { httpRequest } from './http-request';

export function metadataBase(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${env.GCE_METADATA_HOST ?? 'metadata.google.internal'}/computeMetadata/v1/instance/service-accounts/default`;
}

const METADATA_TIMEOUT_MS = 10_000;

async function metadataGet(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  const url = new URL(`${metadataBase(env)}/${path}`);
  const res = await httpRequest({ method: 'GET', url, headers: { 'metadata-flavor': 'Google' }, timeoutMs: METADATA_TIMEOUT_MS });
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw new Error(`metadata server ${url.pathname}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text;
}

const AccessTokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number() });

/** OAuth access token of the function's service account (for the GCS JSON API). */
export function metadataAccessToken(env: NodeJS.ProcessEnv = process.env): CachedToken {
  return new CachedToken(async (): Promise<ExpiringToken> => {
    const parsed = AccessTokenAnswer.safeParse(JSON.parse(await metadataGet('token', env)));
    if (!parsed.success) throw new Error('metadata server token: unexpected answer');
    return { token: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 };
  });
}

/**
 * OIDC ID token for an audience (a probe function's URL): how a private Cloud
 * Function / Cloud Run service authenticates its callers.
 */
export function metadataIdToken(audience: string, env: NodeJS.ProcessEnv = process.env): CachedToken {
  return new CachedToken(async (): Promise<ExpiringToken> => {
    const jwt = (await metadataGet(`identity?audience=${encodeURIComponent(audience)}&format=full`, env)).trim();
    // ID tokens live an hour; without a readable exp assume the shortest sensible life.
    return { token: jwt, expiresAt: jwtExpiry(jwt) ?? Date.now() + 10 * 60_000 };
  });
}
