/**
 * The orchestrator on Google Cloud: a Workflows workflow compiled from the
 * plan (workflow/compile-workflow.ts) that runs as its own account, which may
 * invoke the driver, patch the probes update steps change, and write logs.
 * Deploy-time values (the driver's URL, each tenant's project) are the
 * workflow's environment, so the source is static and reproducible.
 */
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow';
import { Construct } from 'constructs';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { addressTransparent } from '../../cdktf/stable-address';
import { gcpLabels, gcpNames } from '../names';
import { compileWorkflow, WORKFLOW_ENV } from '../workflow/compile-workflow';
import type { GcpDriver } from './driver';
import type { GcpProbeFleet } from './probe-fleet';
import type { GcpTenantScope } from './tenant-scope';

export interface GcpOrchestratorProps {
  readonly plan: StudyPlan;
  /** Every tenant's scope; the workflow runs in the primary tenant's project. */
  readonly tenants: readonly GcpTenantScope[];
  readonly home: GcpTenantScope;
  readonly driver: GcpDriver;
  readonly fleet: GcpProbeFleet;
  /**
   * What the workflow logs.
   * @default 'LOG_ERRORS_ONLY'
   */
  readonly callLogLevel?: 'LOG_ALL_CALLS' | 'LOG_ERRORS_ONLY' | 'LOG_NONE';
}

export class GcpOrchestrator extends Construct {
  readonly workflow: WorkflowsWorkflow;

  constructor(scope: Construct, id: string, props: GcpOrchestratorProps) {
    super(scope, id);
    addressTransparent(this);
    const { plan, home } = props;
    const study = plan.study.id;
    const account = new ServiceAccount(this, 'workflow-account', {
      provider: home.provider,
      accountId: gcpNames.serviceAccount(study, 'flow'),
      displayName: `Curtain ${study}: workflow (invokes the driver, updates the probes it reconfigures)`,
    });
    props.driver.grantInvoke(account);
    props.fleet.grantReconfigure(account);
    new ProjectIamMember(this, 'workflow-writes-logs', { provider: home.provider, project: home.project, role: 'roles/logging.logWriter', member: `serviceAccount:${account.email}` });
    this.workflow = new WorkflowsWorkflow(this, 'workflow', {
      provider: home.provider,
      name: gcpNames.workflow(study),
      region: plan.region,
      description: `Curtain study ${study} (plan ${plan.hash.slice(0, 12)}): ${plan.steps.length} steps`,
      serviceAccount: account.email,
      sourceContents: terraformLiteral(compileWorkflow(plan).yaml),
      userEnvVars: {
        [WORKFLOW_ENV.driverUrl]: props.driver.url,
        ...Object.fromEntries(props.tenants.map((t) => [WORKFLOW_ENV.project(t.tenant), t.project])),
      },
      callLogLevel: props.callLogLevel ?? 'LOG_ERRORS_ONLY',
      deletionProtection: false,
      labels: gcpLabels(study),
      dependsOn: home.services,
    });
  }
}

/**
 * A string Terraform must take literally: Workflows expressions are written
 * ${...}, which Terraform would interpolate, so template sequences are escaped
 * ($${ and %%{). cdktf's Fn.rawString also escapes newlines, which would break YAML.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
}
