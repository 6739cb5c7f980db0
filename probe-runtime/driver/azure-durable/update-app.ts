/**
 * Applies one update step to a probe Function App through the ARM REST API,
 * with the driver's managed identity (role: Website Contributor on that app
 * only). Small on purpose: three REST calls instead of an SDK.
 *
 *   refresh / env  read the app settings (POST .../config/appsettings/list),
 *                  set CURTAIN_GENERATION (and the variable), write them back
 *                  (PUT .../config/appsettings replaces the whole set, hence the read)
 *   memory         Flex Consumption: PATCH the site's instance memory first;
 *                  Consumption has one fixed size, so only that size is accepted
 *
 * Changing the settings restarts the app: new instances, i.e. a forced cold start.
 */
import { CAPABILITIES } from '../../../experiments/capabilities';
import { configurationAfter } from '../../../experiments/plan-queries';
import type { UpdateRequest } from './durable-contract';

export const ARM_API_VERSION = '2024-04-01';
export const ARM_ENDPOINT = 'https://management.azure.com';
/** The only instance size of Linux Consumption, from the capability table. */
const CONSUMPTION_MEMORY_MB = CAPABILITIES.azure.hosting.consumption!.memory.sizesMb[0]!;

export interface ArmAccess {
  endpoint: string;
  token(): Promise<string>;
}

export async function updateFunctionApp(request: UpdateRequest, appId: string, hosting: string, arm: ArmAccess): Promise<void> {
  const call = async (method: string, suffix: string, body?: unknown): Promise<unknown> => {
    const url = `${arm.endpoint.replace(/\/+$/, '')}${appId}${suffix}${suffix.includes('?') ? '&' : '?'}api-version=${ARM_API_VERSION}`;
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${await arm.token()}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`ARM ${method} ${suffix || '(site)'}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  };

  if (request.change.kind === 'memory') {
    if (hosting === 'flex') {
      await call('PATCH', '', { properties: { functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: request.change.memoryMb } } } });
    } else if (request.change.memoryMb !== CONSUMPTION_MEMORY_MB) {
      throw new Error(`${hosting} has a fixed instance size of ${CONSUMPTION_MEMORY_MB} MB; cannot set ${request.change.memoryMb} MB`);
    }
  }
  const current = (await call('POST', '/config/appsettings/list')) as { properties?: Record<string, string> } | null;
  // The settings after the step as the plan defines them (memory is set on the site above; the host's own settings are kept).
  const { env: properties } = configurationAfter({ env: current?.properties ?? {}, memoryMb: 0 }, request);
  await call('PUT', '/config/appsettings', { properties });
}
