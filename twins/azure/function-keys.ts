/**
 * The key check of an HTTP trigger, as the Functions host does it
 * ("Azure Functions HTTP trigger", Authorization level and "Obtaining keys",
 * learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger,
 * read 2026-12-06): `anonymous` needs no key; `function` accepts a function
 * key or a host key (the default host key included) or the master key;
 * `admin` accepts only the master key. The key comes in the `x-functions-key`
 * header or the `code` query parameter. A missing or wrong key is 401.
 */
export interface AppKeys {
  /** Host-level function keys (`default` among them) and per-function keys. */
  readonly functionKeys: readonly string[];
  readonly masterKey: string;
}

export type KeyCheck = { ok: true } | { ok: false; status: 401; why: string };

export function checkFunctionKey(authLevel: string, keys: AppKeys, headers: Record<string, string | string[] | undefined>, url: URL): KeyCheck {
  const level = authLevel.toLowerCase();
  if (level === 'anonymous') return { ok: true };
  const header = headers['x-functions-key'];
  const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? null;
  if (given === null || given === '') return { ok: false, status: 401, why: 'no function key (x-functions-key or code)' };
  const accepted = level === 'admin' ? [keys.masterKey] : [...keys.functionKeys, keys.masterKey];
  return accepted.includes(given) ? { ok: true } : { ok: false, status: 401, why: 'the function key is not a key of this app' };
}

/** The function an HTTP request reaches: `/<routePrefix>/<route>` (route defaults to the function name), method allowed. */
export interface HttpFunction {
  name: string;
  route: string;
  methods: readonly string[] | null;
  authLevel: string;
}

export function routeRequest(functions: readonly HttpFunction[], routePrefix: string, method: string, pathname: string): HttpFunction | 'not-found' | 'method' {
  const prefix = routePrefix.replace(/^\/+|\/+$/g, '');
  const wanted = pathname.replace(/^\/+|\/+$/g, '').toLowerCase();
  const fn = functions.find((f) => [prefix, f.route.replace(/^\/+|\/+$/g, '')].filter((p) => p !== '').join('/').toLowerCase() === wanted);
  if (!fn) return 'not-found';
  if (fn.methods && !fn.methods.some((m) => m.toUpperCase() === method.toUpperCase())) return 'method';
  return fn;
}
