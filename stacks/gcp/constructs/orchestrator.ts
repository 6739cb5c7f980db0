/**
 * The orchestrator on Google Cloud: a Workflows workflow that walks the plan
 * through the driver (workflow/compile-workflow.ts) and runs as its own
 * account, which may invoke the driver, patch the probes update steps change,
 * write logs and, when a run is split into several executions, start the next
 * execution. Deploy-time values (the driver's URL, each tenant's project) are
 * the workflow's environment, so the source is static and reproducible.
 */
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow';
import { Construct } from 'constructs';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { addressTransparent } from '../../cdktf/stable-address';
import { gcpLabels, gcpNames } from '../names';
import { type CompiledWorkflow, WORKFLOW_ENV } from '../workflow/compile-workflow';
import type { GcpDriver } from './driver';
import type { GcpProbeFleet } from './probe-fleet';
import type { GcpTenantScope } from './tenant-scope';

export interface GcpOrchestratorProps {
  readonly plan: StudyPlan;
  /** The compiled workflow (its split into executions is staged beside the driver). */
  readonly workflow: CompiledWorkflow;
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
    if (props.workflow.segmentation.segments.length > 1) {
      // Continue as new: each execution starts the next. Workflows roles can be granted on a project, not on
      // one workflow (Google's roles table), so the grant is a custom role holding only executions.create,
      // and only for studies whose runs need more than one execution.
      const startExecutions = new ProjectIamCustomRole(this, 'workflow-starts-executions-role', {
        provider: home.provider,
        project: home.project,
        roleId: `curtain_${study.replace(/-/g, '_')}_handover`,
        title: `Curtain ${study}: start the next execution of a run`,
        permissions: ['workflows.executions.create'],
      });
      new ProjectIamMember(this, 'workflow-starts-executions', { provider: home.provider, project: home.project, role: startExecutions.id, member: `serviceAccount:${account.email}` });
    }
    this.workflow = new WorkflowsWorkflow(this, 'workflow', {
      provider: home.provider,
      name: gcpNames.workflow(study),
      region: plan.region,
      description: `Curtain study ${study} (plan ${plan.hash.slice(0, 12)}): ${plan.steps.length} steps`,
      serviceAccount: account.email,
      sourceContents: terraformLiteral(props.workflow.yaml),
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
