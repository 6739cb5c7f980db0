/**
 * How the HTTP invoker proves to a probe endpoint that it is the driver. No
 * probe is invocable by the public: Azure probes require a function key, Google
 * probes an OIDC ID token for the driver's service account; only the local
 * platform (loopback only) needs nothing.
 */
import { z } from 'zod';
import { jsonFromEnv } from '../config/json-env';
import { DriverConfigError } from '../errors';
import type { CachedToken } from '../net/cached-token';
import { metadataIdToken } from '../net/gcp-metadata';

export interface HttpAuthTarget {
  functionKey: string;
  url: URL;
}

export interface HttpAuth {
  readonly name: string;
  /** Fetch what headers() needs for these probe URLs ahead of a burst. */
  prepare?(urls: readonly URL[]): Promise<void>;
  /** Synchronous when everything is cached, so sends are not delayed by a microtask hop. */
  headers(target: HttpAuthTarget): Record<string, string> | Promise<Record<string, string>>;
}

export const noAuth: HttpAuth = { name: 'none', headers: () => ({}) };

export const FUNCTION_KEY_HEADER = 'x-functions-key';

/** Azure Functions: the probe's HTTP trigger has authLevel "function"; the key goes in x-functions-key. */
export function functionKeyAuth(keyFor: (functionKey: string) => string): HttpAuth {
  return { name: 'function-key', headers: ({ functionKey }) => ({ [FUNCTION_KEY_HEADER]: keyFor(functionKey) }) };
}

/**
 * Function keys from the environment (app settings, ideally Key Vault references):
 * CURTAIN_FUNCTION_KEYS, a JSON object from plan function key to key, and/or
 * CURTAIN_FUNCTION_KEY, one key for every probe (a host key shared by the probe apps).
 */
export function functionKeysFromEnv(env: NodeJS.ProcessEnv = process.env): (functionKey: string) => string {
  const perFunction = jsonFromEnv(env, 'CURTAIN_FUNCTION_KEYS', z.record(z.string(), z.string().min(1))) ?? {};
  const shared = env.CURTAIN_FUNCTION_KEY;
  if (!shared && Object.keys(perFunction).length === 0) {
    throw new DriverConfigError('set CURTAIN_FUNCTION_KEY or CURTAIN_FUNCTION_KEYS: the probes require a function key');
  }
  return (functionKey) => {
    const key = perFunction[functionKey] ?? shared;
    if (!key) throw new DriverConfigError(`no function key for ${functionKey} in CURTAIN_FUNCTION_KEYS and no CURTAIN_FUNCTION_KEY`);
    return key;
  };
}

/**
 * Google Cloud Functions (2nd gen) / Cloud Run with IAM: an ID token whose
 * audience is the probe's URL, from the metadata server, cached until shortly
 * before it expires. The audience is the URL without query and without a
 * trailing slash: Cloud Run compares it with the service URL as Google prints
 * it (`https://<service>-<hash>.a.run.app`), which has none.
 */
export function googleAudience(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function googleIdTokenAuth(env: NodeJS.ProcessEnv = process.env): HttpAuth {
  const tokens = new Map<string, CachedToken>();
  const tokenFor = (url: URL) => {
    const audience = googleAudience(url);
    let cached = tokens.get(audience);
    if (!cached) tokens.set(audience, (cached = metadataIdToken(audience, env)));
    return cached;
  };
  return {
    name: 'google-id-token',
    async prepare(urls) {
      await Promise.all(urls.map((url) => tokenFor(url).get()));
    },
    headers({ url }) {
      const cached = tokenFor(url);
      const token = cached.peek();
      if (token) return { authorization: `Bearer ${token}` };
      return cached.get().then((t) => ({ authorization: `Bearer ${t}` }));
    },
  };
}
