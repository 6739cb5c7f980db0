/**
 * Deterministic Azure names of a study's deployment, shared by the stack and by
 * `curtain start/fetch --provider azure`. Storage accounts and Function Apps
 * need globally unique names, so they carry a suffix derived from the
 * subscription and the study: the stack computes it in Terraform
 * (substr(sha256(...))), the CLI with node:crypto, and both agree.
 */
import { createHash } from 'node:crypto';

export const NAME_SUFFIX_LENGTH = 8;

/** The parts whose concatenation's sha256 gives the suffix; the stack joins and hashes the same parts in Terraform. */
export function suffixParts(subscription: string, study: string): [string, string] {
  return [subscription, `/${study}`];
}

export function nameSuffix(subscription: string, study: string): string {
  return createHash('sha256').update(suffixParts(subscription, study).join('')).digest('hex').slice(0, NAME_SUFFIX_LENGTH);
}

export const azureNames = {
  resourceGroup: (study: string, tenant = 'a') => `curtain-${study}${tenant === 'a' ? '' : `-${tenant}`}`,
  /** Storage account names: 3–24 lower-case letters and digits, globally unique. */
  resultsAccount: (suffix: string) => `ctres${suffix}`,
  hostAccount: (suffix: string) => `cthost${suffix}`,
  resultsContainer: 'results',
  packagesContainer: 'packages',
  /** Flex apps: each app's own deployment container is this prefix + the app's construct id. */
  deploymentContainerPrefix: 'deploy-',
  /** Function App names (≤ 60 characters, the host name's first label). */
  functionApp: (functionName: string, suffix: string) => `${functionName.slice(0, 51)}-${suffix}`,
  driverApp: (study: string, suffix: string) => `${study}-driver-${suffix}`,
  /** Durable Functions task hub: letters and digits, starting with a letter. */
  taskHub: (study: string) => `curtain${study.replace(/[^a-z0-9]/g, '')}`.slice(0, 45),
};

/** The probe's HTTP trigger (probe-runtime/probe/adapters/azure.ts registers `probe`). */
export const PROBE_ROUTE = '/api/probe';

export function azureTags(study: string, tenant?: string): Record<string, string> {
  return { 'curtain-study': study, 'managed-by': 'curtain', ...(tenant ? { 'curtain-tenant': tenant } : {}) };
}

/** The Terraform variable of the primary tenant's subscription; tenant t's is `<name>_<t>` (the stack's tenant scopes declare them). */
export const AZURE_SUBSCRIPTION_VARIABLE = 'azure_subscription_id';
