/**
 * An update step on Cloudflare: a new version of the probe Worker with the
 * step's configuration, deployed at 100 %. The Workers API's script settings
 * endpoint (PATCH /accounts/{account}/workers/scripts/{script}/settings)
 * replaces the script's bindings and deploys a new version; isolates of the
 * old version serve no new request after it (Workers versions and
 * deployments, checked 2026-12-06). CURTAIN_GENERATION is set to the step's
 * generation, so every answer says which configuration served it.
 *
 * Memory cannot change on Workers (128 MB per isolate): plans with memory
 * updates are refused by the target before anything is deployed, and this
 * refuses one that got here anyway. Exercised here against the run in
 * workerd (which serves this endpoint on loopback), not against the live API
 * (no account on these machines).
 */
import type { UpdateRequest } from '../azure-durable/durable-contract';
import type { DriverSetup } from '../config/load-setup';
import { DriverConfigError } from '../errors';
import { resolveUpdates } from '../../../experiments/plan-queries';

const API = 'https://api.cloudflare.com/client/v4';

/**
 * Where the Workers API is: Cloudflare's, unless CLOUDFLARE_API_BASE names a
 * loopback endpoint (the run in workerd on one machine applies updates to its
 * own probe Workers there: stacks/cloudflare/twin/). Anything else is refused,
 * so the token never leaves for another host.
 */
function apiBase(override: string | undefined): string {
  if (override === undefined) return API;
  const url = new URL(override);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') throw new DriverConfigError(`CLOUDFLARE_API_BASE must be a loopback http:// URL, got ${url.origin}`);
  return override.replace(/\/+$/, '');
}

export async function applyWorkerUpdate(
  request: UpdateRequest,
  setup: DriverSetup,
  env: { CLOUDFLARE_ACCOUNT_ID?: string; CLOUDFLARE_API_TOKEN?: string; CLOUDFLARE_API_BASE?: string },
): Promise<{ script: string }> {
  if (request.change.kind === 'memory') throw new DriverConfigError('a Worker\'s memory cannot be changed (128 MB per isolate)');
  // The function's whole configuration after this step: the settings call replaces every binding.
  const resolved = resolveUpdates(setup.plan).find((u) => u.step.index === request.step && u.fn.key === request.function);
  if (!resolved) throw new DriverConfigError(`update of ${request.function}: step ${request.step} of the plan does not update it`);
  const script = resolved.fn.name;
  if (!env.CLOUDFLARE_ACCOUNT_ID || !env.CLOUDFLARE_API_TOKEN) throw new DriverConfigError('update steps need CLOUDFLARE_ACCOUNT_ID and the CLOUDFLARE_API_TOKEN secret');
  const bindings = Object.entries(resolved.after.env).map(([name, text]) => ({ type: 'plain_text', name, text }));
  const form = new FormData();
  form.set('settings', new Blob([JSON.stringify({ bindings })], { type: 'application/json' }));
  const res = await fetch(`${apiBase(env.CLOUDFLARE_API_BASE)}/accounts/${env.CLOUDFLARE_ACCOUNT_ID}/workers/scripts/${script}/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN}` },
    body: form,
  });
  if (!res.ok) throw new Error(`update of ${script}: Cloudflare API answered ${res.status} ${(await res.text()).slice(0, 300)}`);
  return { script };
}
