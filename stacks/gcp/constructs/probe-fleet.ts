/**
 * The study's probes on Google Cloud: one Cloud Functions 2nd gen function per
 * plan function, in its tenant's project, running as that tenant's probe
 * account, with memory, CPU, runtime, timeout, environment and maximum
 * instances from the plan. Nobody may invoke them until grantInvoke; only the
 * functions update steps change may be reconfigured, through grantReconfigure.
 */
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { Cloudfunctions2FunctionIamMember } from '@cdktf/provider-google/lib/cloudfunctions2-function-iam-member';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import { gcpVcpuForMemoryMb } from '../../../experiments/capabilities';
import { peakDemand, updatedFunctions } from '../../../experiments/plan-queries';
import type { PlanFunction, StudyPlan } from '../../../experiments/plan-schema';
import type { BundleSet } from '../../../probe-runtime/build/bundle-set';
import { probeBundleName, PYTHON_PROBE_BUNDLE } from '../../../probe-runtime/contracts/bundle-manifest';
import { nodePackageJson, stagePackage } from '../../cdktf/stage-package';
import { addressTransparent } from '../../cdktf/stable-address';
import { gcpLabels, gcpNames } from '../names';
import { CloudFunction } from './cloud-function';
import type { GcpTenantScope } from './tenant-scope';

/** The Functions Framework that serves a Node.js package's exported function; Cloud Build installs it. */
export const FUNCTIONS_FRAMEWORK = '@google-cloud/functions-framework';

/** What the orchestrator may do to a probe function it reconfigures: read it and update it, nothing else. */
export const RECONFIGURE_PERMISSIONS = ['cloudfunctions.functions.get', 'cloudfunctions.functions.update'] as const;
/** What it may read on the project: the state of the update operations it waits for. */
export const OPERATION_PERMISSIONS = ['cloudfunctions.operations.get'] as const;

export interface GcpProbeFleetProps {
  readonly plan: StudyPlan;
  /** Each tenant's scope, by tenant letter. */
  readonly tenants: ReadonlyMap<string, GcpTenantScope>;
  readonly bundles: BundleSet;
  readonly stagingRoot: string;
}

export class GcpProbeFleet extends Construct {
  /** Plan function key → its function. */
  readonly probes = new Map<string, CloudFunction>();
  private readonly plan: StudyPlan;
  private readonly tenants: ReadonlyMap<string, GcpTenantScope>;
  private readonly updated: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: GcpProbeFleetProps) {
    super(scope, id);
    addressTransparent(this);
    const { plan } = props;
    const study = plan.study.id;
    this.plan = plan;
    this.tenants = props.tenants;
    this.updated = new Set(updatedFunctions(plan).keys());
    for (const fn of plan.functions) {
      const t = props.tenants.get(fn.tenant)!;
      const probe = new CloudFunction(this, `probe-${fn.key}`, {
        provider: t.provider,
        name: fn.name,
        region: plan.region,
        sourcesBucket: t.sourcesBucket,
        sourceObject: t.upload(probePackage(props, fn)),
        runtime: fn.runtimeVersion,
        entryPoint: 'probe',
        memoryMb: fn.memoryMb,
        vcpu: fn.vcpu ?? gcpVcpuForMemoryMb(fn.memoryMb),
        timeoutSeconds: fn.timeoutSeconds,
        maxInstances: peakDemand(plan, fn.key),
        env: fn.env,
        serviceAccountEmail: t.probeAccount.email,
        labels: { ...gcpLabels(study, fn.tenant), curtain_function: fn.key },
        changedAtRunTime: this.updated.has(fn.key),
        dependsOn: t.services,
      });
      this.probes.set(fn.key, probe);
    }
  }

  /** Each probe's HTTPS URL by function key (the driver's CURTAIN_TARGETS). */
  urls(): Record<string, string> {
    return Object.fromEntries([...this.probes].map(([key, p]) => [key, p.fn.url]));
  }

  /** Lets the driver (and no one else) invoke every probe. */
  grantInvoke(driver: ServiceAccount): void {
    for (const [key, probe] of this.probes) {
      const t = this.tenants.get(this.functionOf(key).tenant)!;
      new CloudRunV2ServiceIamMember(this, `driver-invokes-${key}`, {
        provider: t.provider,
        location: this.plan.region,
        name: probe.fn.serviceConfig.service,
        role: 'roles/run.invoker',
        member: `serviceAccount:${driver.email}`,
      });
    }
  }

  /**
   * Lets the orchestrator patch the functions update steps change (environment, memory), and only those:
   * a custom role with exactly get and update, granted on each such function. The predefined
   * roles/cloudfunctions.developer would add delete among others (issue 10, defect 8).
   * The Workflows connector waits for the update's long-running operation, and operations are
   * project resources, so a second custom role holds only cloudfunctions.operations.get, on the project.
   */
  grantReconfigure(orchestrator: ServiceAccount): void {
    const study = this.plan.study.id;
    const roles = new Map<string, { update: string; operations: string }>();
    const rolesOf = (t: GcpTenantScope) => {
      let r = roles.get(t.tenant);
      if (!r) {
        const custom = (kind: 'update' | 'operations', title: string, permissions: string[]) =>
          new ProjectIamCustomRole(this, `reconfigure-role-${kind}-${t.tenant}`, {
            provider: t.provider,
            project: t.project,
            roleId: gcpNames.customRole(study, kind),
            title,
            description: `Curtain ${study}: ${title.toLowerCase()} (granted to the workflow only)`,
            permissions,
          }).name;
        r = {
          update: custom('update', 'Reconfigure probe functions', [...RECONFIGURE_PERMISSIONS]),
          operations: custom('operations', 'Read function operations', [...OPERATION_PERMISSIONS]),
        };
        roles.set(t.tenant, r);
        new ProjectIamMember(this, `workflow-reads-operations-${t.tenant}`, { provider: t.provider, project: t.project, role: r.operations, member: `serviceAccount:${orchestrator.email}` });
      }
      return r;
    };
    for (const key of this.updated) {
      const t = this.tenants.get(this.functionOf(key).tenant)!;
      new Cloudfunctions2FunctionIamMember(this, `workflow-updates-${key}`, {
        provider: t.provider,
        location: this.plan.region,
        cloudFunction: this.probes.get(key)!.fn.name,
        role: rolesOf(t).update,
        member: `serviceAccount:${orchestrator.email}`,
      });
    }
    // Redeploying a function as its runtime service account requires actAs on that account.
    for (const t of this.tenants.values()) {
      if (!this.plan.functions.some((f) => f.tenant === t.tenant && this.updated.has(f.key))) continue;
      new ServiceAccountIamMember(this, `workflow-acts-as-probe-${t.tenant}`, {
        provider: t.provider,
        serviceAccountId: t.probeAccount.name,
        role: 'roles/iam.serviceAccountUser',
        member: `serviceAccount:${orchestrator.email}`,
      });
    }
  }

  private functionOf(key: string): PlanFunction {
    return this.plan.functions.find((f) => f.key === key)!;
  }
}

function probePackage(props: GcpProbeFleetProps, fn: PlanFunction): string {
  if (fn.runtime === 'python') {
    return stagePackage(props.stagingRoot, {
      from: [props.bundles.dir(PYTHON_PROBE_BUNDLE)],
      // The Python buildpack installs the Functions Framework that serves main.probe.
      files: { 'requirements.txt': 'functions-framework==3.*\n' },
    });
  }
  return stagePackage(props.stagingRoot, { from: [props.bundles.dir(probeBundleName('gcp'))], files: { 'package.json': nodePackageJson('curtain-probe', [FUNCTIONS_FRAMEWORK]) } });
}
