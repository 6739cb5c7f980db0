/**
 * What a target's rerun command builder (ProviderTarget.rerunCommands) takes
 * and gives, for `curtain replan`. Builders are pure functions (no file system,
 * no environment): given a published plan and what its run recorded, they
 * return argument vectors; printing quotes them (replication/shell-words.ts)
 * and `curtain replan --execute` runs those marked executable.
 */
import type { z } from 'zod';
import { PRIMARY_TENANT, planTenants } from '../experiments/plan-queries';
import type { StudyPlan } from '../experiments/plan-schema';
import { formatSets } from '../experiments/resolve-study';
import type { CloudDeployOptions, LocalRunOptions } from '../probe-runtime/contracts/run-manifest';

/** One command: environment assignments that prefix it (`NAME=value cmd ...`) and its argument vector, program first. */
export interface ShellCommand {
  env: readonly (readonly [string, string])[];
  argv: readonly string[];
}

export type RerunPlan = Pick<StudyPlan, 'study' | 'provider' | 'region' | 'hosting' | 'parameters' | 'budget' | 'functions'>;

/** Values only the reviewer has; a builder prints a placeholder and names the option that fills it in. */
export interface SuppliedValues {
  /** Google Cloud project to deploy into (`--gcp-project`). */
  gcpProject?: string;
  /** Azure subscription to deploy into (`--azure-subscription`). */
  azureSubscription?: string;
  /** Cloudflare account id to deploy into (`--cloudflare-account`). */
  cloudflareAccount?: string;
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

/** Tenants other than the primary, sorted (each needs its own account, project or subscription). */
export function furtherTenants(plan: RerunPlan): string[] {
  return planTenants(plan).filter((t) => t !== PRIMARY_TENANT);
}


export interface StudyArguments {
  /** The catalog id, or the definition file's path. */
  ref: string;
  kind: 'catalog' | 'file';
  /** `name=value` pairs: every parameter of a catalog study (defaults included, so a changed default cannot change the rerun), or the file's --set pairs. */
  sets: string[];
}

export function studyArguments(request: RerunRequest): StudyArguments {
  if (request.study.kind === 'file') return { ref: request.study.path, kind: 'file', sets: [...request.study.set] };
  return { ref: request.plan.study.id, kind: 'catalog', sets: formatSets(request.plan.parameters) };
}

export function placeholder(request: RerunRequest, key: keyof RerunRequest['supplied'], text: string): string {
  return request.supplied[key] ?? text;
}
