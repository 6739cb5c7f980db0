/**
 * What the platform tells the instance through its environment: identifiers of
 * the instance, sandbox or revision (provider ids), the configuration generation
 * Curtain sets (CURTAIN_GENERATION) and the configured memory.
 */
import type { ProbeEnv } from '../probe-config';

/** Environment variables copied into providerIds when set (non-empty). */
export const PROVIDER_ID_VARIABLES = [
  // AWS Lambda: the log stream names the sandbox (one per execution environment).
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_EXECUTION_ENV',
  'AWS_REGION',
  // Azure Functions: the worker VM (instance id), the app, the container.
  'WEBSITE_INSTANCE_ID',
  'WEBSITE_SITE_NAME',
  'WEBSITE_HOSTNAME',
  'WEBSITE_SKU',
  'WEBSITE_POD_NAME',
  'CONTAINER_NAME',
  'COMPUTERNAME',
  'REGION_NAME',
  // Google Cloud Functions (gen2 = Cloud Run; gen1 names).
  'K_SERVICE',
  'K_REVISION',
  'K_CONFIGURATION',
  'FUNCTION_TARGET',
  'FUNCTION_NAME',
  'FUNCTION_REGION',
  'X_GOOGLE_FUNCTION_VERSION',
  // The embedded local platform and the plan's function env.
  'CURTAIN_LOCAL_INSTANCE_ID',
  'CURTAIN_LOCAL_FUNCTION',
  'CURTAIN_STUDY',
  'CURTAIN_FUNCTION',
  'CURTAIN_TENANT',
] as const;

/** Memory settings in order of preference: the provider's own first, Curtain's last. */
export const MEMORY_VARIABLES = [
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'WEBSITE_MEMORY_LIMIT_MB',
  'FUNCTION_MEMORY_MB',
  'CURTAIN_MEMORY_MB',
] as const;

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
