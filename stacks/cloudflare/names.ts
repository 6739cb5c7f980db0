/**
 * Deterministic Cloudflare names of a study's deployment, shared by the stack
 * and by `curtain start/fetch --provider cloudflare`, so the CLI needs no
 * Terraform outputs. Worker and bucket names are lower-case letters, digits
 * and hyphens (Workers: ≤ 63 characters; R2 buckets: 3–63).
 */
export const cloudflareNames = {
  resultsBucket: (study: string) => `curtain-${study}`.slice(0, 63),
  driver: (study: string) => `curtain-${study}-driver`,
  workflow: (study: string) => `curtain-${study}`,
  /** The Workflow class the driver bundle exports (probe-runtime/driver/adapters/cloudflare.ts). */
  workflowClass: 'CurtainRun',
  /** The driver's service binding to a probe: deployment.json's target for the function. */
  probeBinding: (index: number) => `PROBE_${index}`,
  resultsBinding: 'RESULTS',
  workflowBinding: 'CURTAIN_RUN',
};

/** Tags every Worker carries (Workers tags: the study and who manages it). */
export function cloudflareTags(study: string): string[] {
  return [`curtain-study:${study}`, 'managed-by:curtain'];
}

/** The Terraform variable of the account id. */
export const CLOUDFLARE_ACCOUNT_VARIABLE = 'cloudflare_account_id';

/**
 * The workerd behaviour the Workers are pinned to: the compatibility date of
 * the plan's runtime (experiments/runtime-lifecycle.ts) and Node.js APIs.
 */
export const COMPATIBILITY_FLAGS = ['nodejs_compat'];
