/**
 * Deterministic Google Cloud names of a study's deployment, shared by the
 * stack and by `curtain start/fetch --provider gcp`, so the CLI needs no
 * Terraform outputs (reading them would need the terraform binary).
 * `project` may be a Terraform token in the stack and a literal in the CLI.
 */
import { createHash } from 'node:crypto';

/** Short, stable hash of a study id (service account ids allow 30 characters). */
export function studyHash(study: string): string {
  return createHash('sha256').update(study).digest('hex').slice(0, 8);
}

export const gcpNames = {
  /** Project ids are globally unique, so is this (≤ 30 + 9 + 24 = 63 characters). */
  resultsBucket: (project: string, study: string) => `${project}-curtain-${study}`,
  sourcesBucket: (project: string, study: string) => `${project}-curtain-src-${studyHash(study)}`,
  workflow: (study: string) => `curtain-${study}`,
  driverFunction: (study: string) => `${study}-driver`,
  serviceAccount: (study: string, role: 'probe' | 'driver' | 'flow') => `curtain-${studyHash(study)}-${role}`,
  /** Custom role ids: letters, digits, `_` and `.`, 3..64 characters, unique per project. */
  customRole: (study: string, kind: 'update' | 'operations') => `curtain_${studyHash(study)}_${kind}`,
};

/**
 * Labels every labelled resource carries. Keys use underscores: cdktf rewrites
 * hyphenated keys of the provider's default_labels map into snake case.
 */
export function gcpLabels(study: string, tenant?: string): Record<string, string> {
  return { curtain_study: study, managed_by: 'curtain', ...(tenant ? { curtain_tenant: tenant } : {}) };
}

/** The Terraform variable of the primary tenant's project; tenant t's is `<name>_<t>` (the stack's tenant scopes declare them). */
export const GCP_PROJECT_VARIABLE = 'gcp_project';
