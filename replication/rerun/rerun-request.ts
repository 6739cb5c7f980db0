/**
 * What the rerun command builders take and give. Builders are pure functions
 * (no file system, no environment): given a published plan and what its run
 * recorded, they return argument vectors; printing quotes them
 * (replication/shell-words.ts) and `curtain replan --execute` runs them.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { CloudDeployOptions, LocalRunOptions } from '../../probe-runtime/contracts/run-manifest';
import type { z } from 'zod';
import type { ShellCommand } from '../shell-words';

export type RerunPlan = Pick<StudyPlan, 'study' | 'provider' | 'region' | 'hosting' | 'parameters' | 'budget' | 'functions'>;

/** Values only the reviewer has; a builder prints a placeholder and names the option that fills it in. */
export interface SuppliedValues {
  /** Google Cloud project to deploy into (`--gcp-project`). */
  gcpProject?: string;
  /** Azure subscription to deploy into (`--azure-subscription`). */
  azureSubscription?: string;
  /** Tenant b's account, project or subscription for studies with a second tenant (`--tenant-b`). */
  tenantB?: string;
}

export interface RerunRequest {
  plan: RerunPlan;
  /** The study: the catalog's (with the plan's parameters), or a definition file with its --set pairs. */
  study: { kind: 'catalog' } | { kind: 'file'; path: string; set: readonly string[] };
  /** Every option of the original local run; null when the run did not record them. */
  local: z.output<typeof LocalRunOptions> | null;
  /** What the original cloud deployment was synthesized with; null when not recorded. */
  deploy: z.output<typeof CloudDeployOptions> | null;
  /** A directory holding dist/runtime with the run's exact bundles (an unpacked package's runtime/). */
  bundleRoot: string | null;
  supplied: SuppliedValues;
  /** Results root for the rerun (`curtain run --out`, `curtain fetch --out`). */
  out?: string;
}

export interface RerunStep {
  /** What the step does, one line. */
  what: string;
  command: ShellCommand;
  /** Whether `curtain replan --execute` can run it here (no cloud account needed). */
  executable: boolean;
}

export interface MissingValue {
  placeholder: string;
  what: string;
  /** The replan option that supplies it. */
  option: string;
}

export interface RerunCommands {
  steps: RerunStep[];
  /** Values the reviewer must supply (placeholders in the commands). */
  missing: MissingValue[];
  /** What the commands cannot reproduce, or assume. */
  notes: string[];
}

export type RerunBuilder = (request: RerunRequest) => RerunCommands;

/** A rerun that cannot be expressed as commands without changing the study. */
export class RerunImpossibleError extends Error {
  override name = 'RerunImpossibleError';
}

/** Tenants other than the primary `a`, sorted (each needs its own account, project or subscription). */
export function furtherTenants(plan: RerunPlan): string[] {
  return [...new Set(plan.functions.map((f) => f.tenant))].filter((t) => t !== 'a').sort();
}
