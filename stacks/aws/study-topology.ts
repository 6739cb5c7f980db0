/**
 * Where each part of a study goes on AWS and what everything is called: the
 * primary stack (bucket, tenant a's probes, driver, orchestrator) and one
 * stack per further tenant, in its own account when one is given
 * (`-c tenantB=<account>`), else in the primary account.
 *
 * Pure: names and ARNs are derived from the plan and the accounts, so the
 * driver's deployment.json and the state machine can list them at synth time,
 * and a tenant's stack in another account can trust the primary account's
 * roles by ARN without cross-stack references.
 */
import { planTenants, tenantFunctions } from '../../experiments/plan-queries';
import type { PlanFunction, StudyPlan } from '../../experiments/plan-schema';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import type { AslTargets } from './asl/compile-plan';
import {
  driverFunctionName,
  driverRoleName,
  lambdaFunctionArn,
  orchestratorRoleName,
  probeFunctionName,
  roleArn,
  stateMachineName,
  studyStackName,
  tenantStackName,
  tenantUpdaterRoleName,
} from './naming';

/** The tenant deployed in the primary stack (the definition schema reserves `a` for the primary account). */
export const PRIMARY_TENANT = 'a';

export interface TopologyOptions {
  /** The primary account, when known (`-c account=` or the CLI's CDK_DEFAULT_ACCOUNT). */
  primaryAccount?: string;
  /** Accounts of further tenants (`-c tenantB=`); a tenant without one shares the primary account. */
  tenantAccounts?: Partial<Record<string, string>>;
}

export interface TenantPlacement {
  tenant: string;
  functions: PlanFunction[];
  stackName: string;
  /** The tenant's account when it is not the primary one. */
  account?: string;
  crossAccount: boolean;
  /** The role the orchestrator assumes to update this tenant's functions (cross-account only). */
  updaterRoleName?: string;
  updaterRoleArn?: string;
  /** Function key → deployed name. */
  functionNames: Record<string, string>;
  /** Function key → ARN, literal when the account is known. */
  functionArns?: Record<string, string>;
}

export interface StudyTopology {
  plan: StudyPlan;
  region: string;
  partition: string;
  primaryAccount?: string;
  stackName: string;
  primary: TenantPlacement | null;
  others: TenantPlacement[];
  names: {
    driverFunction: string;
    stateMachine: string;
    driverRole: string;
    orchestratorRole: string;
  };
  /** deployment.json of the driver, before the orchestration's segmentation is known (prepare-study.ts adds it). */
  deployment: Deployment;
  /** What the state machine addresses. */
  aslTargets: AslTargets;
}

export class TopologyError extends Error {
  override name = 'TopologyError';
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function studyTopology(plan: StudyPlan, options: TopologyOptions = {}): StudyTopology {
  const study = plan.study.id;
  const region = plan.region;
  const partition = partitionOf(region);
  const tenants = planTenants(plan);
  // Accounts given for tenants this study does not have are ignored: one -c tenantB serves several studies.

  const names = {
    driverFunction: driverFunctionName(study),
    stateMachine: stateMachineName(study),
    driverRole: driverRoleName(study, region),
    orchestratorRole: orchestratorRoleName(study, region),
  };

  const place = (tenant: string): TenantPlacement => {
    const functions = tenantFunctions(plan, tenant);
    const functionNames = Object.fromEntries(functions.map((f) => [f.key, probeFunctionName(f.name)]));
    if (tenant === PRIMARY_TENANT) {
      return { tenant, functions, stackName: studyStackName(study), crossAccount: false, functionNames };
    }
    const account = options.tenantAccounts?.[tenant];
    const crossAccount = account !== undefined && account !== options.primaryAccount;
    if (crossAccount && !options.primaryAccount) {
      throw new TopologyError(
        `tenant ${tenant} goes to account ${account}, but the primary account is unknown: deploy with credentials for the primary account (the CDK CLI then sets it) or pass -c account=<12-digit id>`,
      );
    }
    const placement: TenantPlacement = { tenant, functions, stackName: tenantStackName(study, tenant), crossAccount, functionNames };
    if (account) {
      placement.account = account;
      placement.functionArns = Object.fromEntries(functions.map((f) => [f.key, lambdaFunctionArn(partition, region, account, functionNames[f.key]!)]));
    }
    if (crossAccount) {
      placement.updaterRoleName = tenantUpdaterRoleName(study, tenant, region);
      placement.updaterRoleArn = roleArn(partition, account!, placement.updaterRoleName);
    }
    return placement;
  };

  const primary = tenants.includes(PRIMARY_TENANT) ? place(PRIMARY_TENANT) : null;
  const others = tenants.filter((t) => t !== PRIMARY_TENANT).map(place);

  // Same-account functions are reached by name; another account's by ARN.
  const targets: Record<string, string> = {};
  const updateRoles: Record<string, string> = {};
  for (const placement of [...(primary ? [primary] : []), ...others]) {
    for (const f of placement.functions) {
      targets[f.key] = placement.crossAccount ? placement.functionArns![f.key]! : placement.functionNames[f.key]!;
      if (placement.updaterRoleArn) updateRoles[f.key] = placement.updaterRoleArn;
    }
  }

  return {
    plan,
    region,
    partition,
    primaryAccount: options.primaryAccount,
    stackName: studyStackName(study),
    primary,
    others,
    names,
    deployment: { v: 1, provider: 'aws', region, planHash: plan.hash, targets },
    aslTargets: { driver: names.driverFunction, updateRoles },
  };
}

/** ARN of the primary account's role `name`, for a tenant stack to trust; `account` defaults to the caller's. */
export function primaryRoleArn(topology: StudyTopology, roleName: string, fallbackAccount: string): string {
  return roleArn(topology.partition, topology.primaryAccount ?? fallbackAccount, roleName);
}
