/**
 * Physical names of a study's AWS resources.
 *
 * Names are deterministic, derived from the study id and the plan's function
 * names, because things that cannot use CloudFormation references need them:
 * the driver's deployment.json is written at synth time, the state machine
 * addresses probes by name, and a second tenant's stack in another account
 * trusts the primary account's roles by ARN.
 */
import { createHash } from 'node:crypto';

/** Prefix of every physical name, so a study's resources are easy to find and never clash with the user's. */
export const NAME_PREFIX = 'curtain';

/** Lambda function names: at most 64 characters. */
const LAMBDA_NAME_MAX = 64;
/** IAM role names: at most 64 characters. */
const ROLE_NAME_MAX = 64;
/** Step Functions state machine names: at most 80 characters. */
const STATE_MACHINE_NAME_MAX = 80;

/**
 * Joins parts with hyphens; when the result is too long, it is cut and a short
 * hash of the full name is appended, so distinct long names stay distinct.
 */
export function boundedName(parts: readonly string[], max: number): string {
  const full = parts.join('-');
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** CloudFormation stack of a study: `curtain-<study>`. */
export function studyStackName(study: string): string {
  return `${NAME_PREFIX}-${study}`;
}

/** The stack holding a second tenant's probes: `curtain-<study>-tenant-<t>`. */
export function tenantStackName(study: string, tenant: string): string {
  return `${studyStackName(study)}-tenant-${tenant}`;
}

/** A probe's Lambda function name, from the plan's deployable name (≤ 56 characters, unique per study). */
export function probeFunctionName(planFunctionName: string): string {
  return boundedName([NAME_PREFIX, planFunctionName], LAMBDA_NAME_MAX);
}

export function driverFunctionName(study: string): string {
  return boundedName([NAME_PREFIX, study, 'driver'], LAMBDA_NAME_MAX);
}

export function stateMachineName(study: string): string {
  return boundedName([NAME_PREFIX, study], STATE_MACHINE_NAME_MAX);
}

/** IAM is global: role names carry the region so one study can be deployed to several regions of an account. */
export function driverRoleName(study: string, region: string): string {
  return boundedName([NAME_PREFIX, study, 'driver', region], ROLE_NAME_MAX);
}

export function orchestratorRoleName(study: string, region: string): string {
  return boundedName([NAME_PREFIX, study, 'orchestrator', region], ROLE_NAME_MAX);
}

/** The role in a tenant's account that the orchestrator assumes to reconfigure that tenant's probes. */
export function tenantUpdaterRoleName(study: string, tenant: string, region: string): string {
  return boundedName([NAME_PREFIX, study, `tenant-${tenant}`, 'updater', region], ROLE_NAME_MAX);
}

export function roleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

export function lambdaFunctionArn(partition: string, region: string, account: string, functionName: string): string {
  return `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
}
