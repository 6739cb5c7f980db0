/**
 * What the platform tells the instance through its environment: identifiers of
 * the instance, sandbox or revision (provider ids), the configuration generation
 * Curtain sets (CURTAIN_GENERATION) and the configured memory.
 */
import type { ProviderId } from '../../contracts/providers';
import type { ProbeEnv } from '../probe-config';

/**
 * What each platform tells an instance through its environment: the variables
 * that identify the instance, sandbox or revision (copied into providerIds
 * when set) and the one that gives the configured memory. A total record: a
 * new provider id does not compile until it says which variables are its own.
 * The Python probe reads the same lists (curtain_probe/platform_variables.py,
 * generated from this table by `npm run docs`).
 */
export const PLATFORM_VARIABLES: Record<ProviderId, { readonly ids: readonly string[]; readonly memory: readonly string[] }> = {
  // AWS Lambda: the log stream names the sandbox (one per execution environment).
  aws: {
    ids: [
      'AWS_LAMBDA_LOG_STREAM_NAME',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_INITIALIZATION_TYPE',
      'AWS_EXECUTION_ENV',
      'AWS_REGION',
    ],
    memory: ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
  },
  // Azure Functions: the worker VM (instance id), the app, the container.
  azure: {
    ids: ['WEBSITE_INSTANCE_ID', 'WEBSITE_SITE_NAME', 'WEBSITE_HOSTNAME', 'WEBSITE_SKU', 'WEBSITE_POD_NAME', 'CONTAINER_NAME', 'COMPUTERNAME', 'REGION_NAME'],
    memory: ['WEBSITE_MEMORY_LIMIT_MB'],
  },
  // Google Cloud Functions (gen2 = Cloud Run; gen1 names).
  gcp: {
    ids: ['K_SERVICE', 'K_REVISION', 'K_CONFIGURATION', 'FUNCTION_TARGET', 'FUNCTION_NAME', 'FUNCTION_REGION', 'X_GOOGLE_FUNCTION_VERSION'],
    memory: ['FUNCTION_MEMORY_MB'],
  },
  // Cloudflare Workers: the environment is the script's bindings; none names an isolate or a host
  // (the adapter records request.cf.colo per invocation), and memory is a fixed 128 MB per isolate.
  cloudflare: { ids: [], memory: [] },
  // The embedded local platform.
  local: { ids: ['CURTAIN_LOCAL_INSTANCE_ID', 'CURTAIN_LOCAL_FUNCTION'], memory: [] },
};

/** What the plan's own function environment says, on every platform; read after the platform's own variables. */
const PLAN_VARIABLES = { ids: ['CURTAIN_STUDY', 'CURTAIN_FUNCTION', 'CURTAIN_TENANT'], memory: ['CURTAIN_MEMORY_MB'] } as const;

/** Environment variables copied into providerIds when set (non-empty). */
export const PROVIDER_ID_VARIABLES: readonly string[] = [...Object.values(PLATFORM_VARIABLES).flatMap((v) => v.ids), ...PLAN_VARIABLES.ids];

/** Memory settings in order of preference: the provider's own first, Curtain's last. */
export const MEMORY_VARIABLES: readonly string[] = [...Object.values(PLATFORM_VARIABLES).flatMap((v) => v.memory), ...PLAN_VARIABLES.memory];

export function collectProviderIds(env: ProbeEnv): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const name of PROVIDER_ID_VARIABLES) {
    const value = env[name];
    if (value) ids[name] = value;
  }
  return ids;
}

export function collectMemoryMb(env: ProbeEnv): number | null {
  for (const name of MEMORY_VARIABLES) {
    const value = env[name]?.trim();
    if (value && /^\d+(\.\d+)?$/.test(value) && Number(value) > 0) return Number(value);
  }
  return null;
}

export function collectGeneration(env: ProbeEnv): string | null {
  return env.CURTAIN_GENERATION || null;
}
