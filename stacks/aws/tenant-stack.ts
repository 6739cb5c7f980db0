/**
 * TenantStack: a further tenant's probes (the isolation study's tenant `b`),
 * `curtain-<study>-tenant-<t>`, deployed in that tenant's account when one is
 * given (`-c tenantB=<account>`), else beside the primary stack.
 *
 * Only the primary stack's driver role may invoke these probes (a resource
 * policy naming that role's ARN). In another account, an updater role that
 * only the primary orchestrator's role may assume lets update steps change
 * the probes' configuration. Both roles are trusted by ARN, so the primary
 * stack must be deployed first (the app declares the dependency).
 */
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib/core';
import { ArnPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { updatedFunctions } from '../../experiments/plan-queries';
import { ProbeFleet } from './constructs/probe-fleet';
import type { PreparedStudy } from './prepare-study';
import type { AwsBundles } from './runtime-bundles';
import { chunkOutputMap, STACK_OUTPUTS } from './stack-outputs';
import { primaryRoleArn, type TenantPlacement } from './study-topology';

export interface TenantStackProps extends StackProps {
  readonly study: PreparedStudy;
  readonly tenant: TenantPlacement;
  readonly bundles: AwsBundles;
}

export const TENANT_OUTPUTS = { updaterRoleArn: 'UpdaterRoleArn' } as const;

export class TenantStack extends Stack {
  readonly fleet: ProbeFleet;
  readonly updater: Role | null;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id, props);
    const { plan, topology } = props.study;
    const study = plan.study.id;
    const tenant = props.tenant;
    this.templateOptions.description = `Curtain study ${study}: probes of tenant ${tenant.tenant}`;
    Tags.of(this).add('curtain:study', study);
    Tags.of(this).add('curtain:tenant', tenant.tenant);
    Tags.of(this).add('curtain:plan', plan.hash);

    this.fleet = new ProbeFleet(this, 'Probes', {
      study,
      functions: tenant.functions,
      bundles: { nodejs: props.bundles.nodejsProbe, python: props.bundles.pythonProbe },
    });
    // The primary account is this stack's own account unless the tenant lives elsewhere.
    const driverRole = new ArnPrincipal(primaryRoleArn(topology, topology.names.driverRole, this.account));
    for (const fn of this.fleet.functions.values()) {
      fn.addPermission('InvokeByStudyDriver', { principal: driverRole, action: 'lambda:InvokeFunction' });
    }

    this.updater = null;
    if (tenant.crossAccount) {
      this.updater = new Role(this, 'Updater', {
        roleName: tenant.updaterRoleName,
        assumedBy: new ArnPrincipal(primaryRoleArn(topology, topology.names.orchestratorRole, this.account)),
        description: `Lets the Curtain orchestrator of study ${study} reconfigure tenant ${tenant.tenant}'s probes`,
      });
      this.fleet.grantReconfigure(this.updater, new Set(updatedFunctions(plan).keys()));
      new CfnOutput(this, TENANT_OUTPUTS.updaterRoleArn, { value: this.updater.roleArn });
    }
    chunkOutputMap(tenant.functionNames).forEach((value, i) => {
      new CfnOutput(this, `${STACK_OUTPUTS.functionNames}${i === 0 ? '' : i + 1}`, { value, description: 'Plan function key → probe function name' });
    });
  }
}
