/**
 * The driver on Google Cloud: an HTTP function in the primary tenant's project
 * that sends a burst's requests to the probes and writes their records into
 * the results bucket. Its package is the driver bundle with plan.json and
 * deployment.json (stacks/cdktf/driver-package.ts); probe URLs and the bucket
 * reach it in its environment. It runs as its own account, which may invoke
 * the study's probes and write `<study>/` of the bucket, nothing else.
 */
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { CAPABILITIES, driverMemoryMb } from '../../../experiments/capabilities';
import { peakShards } from '../../../experiments/plan-queries';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { BundleSet } from '../../../probe-runtime/build/bundle-set';
import type { Orchestration } from '../../../probe-runtime/contracts/step-directive';
import type { RunOrigin } from '../../../probe-runtime/contracts/run-manifest';
import { stageDriverPackage } from '../../cdktf/driver-package';
import { nodePackageJson } from '../../cdktf/stage-package';
import { addressTransparent } from '../../cdktf/stable-address';
import { gcpLabels, gcpNames } from '../names';
import { WORKFLOW_LIMITS } from '../workflow/compile-workflow';
import { CloudFunction } from './cloud-function';
import { FUNCTIONS_FRAMEWORK, type GcpProbeFleet } from './probe-fleet';
import type { GcpResultsBucket } from './results-bucket';
import type { GcpTenantScope } from './tenant-scope';

export interface GcpDriverProps {
  readonly plan: StudyPlan;
  /** What the deployment was synthesized with, copied into each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  /** The primary tenant, whose project runs the driver. */
  readonly home: GcpTenantScope;
  readonly results: GcpResultsBucket;
  readonly fleet: GcpProbeFleet;
  readonly bundles: BundleSet;
  readonly stagingRoot: string;
  /** How the workflow splits a run into executions, staged in deployment.json (the driver tells the workflow when to hand over). */
  readonly orchestration: Orchestration;
  /**
   * vCPUs of the driver function.
   * @default 1
   */
  readonly vcpu?: number;
}

export class GcpDriver extends Construct {
  readonly account: ServiceAccount;
  readonly function: CloudFunction;
  private readonly home: GcpTenantScope;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: GcpDriverProps) {
    super(scope, id);
    addressTransparent(this);
    const { plan, home } = props;
    const study = plan.study.id;
    const hosting = CAPABILITIES.gcp.hosting[plan.hosting]!;
    this.home = home;
    this.region = plan.region;
    this.account = new ServiceAccount(this, 'driver-account', {
      provider: home.provider,
      accountId: gcpNames.serviceAccount(study, 'driver'),
      displayName: `Curtain ${study}: driver (invokes this study's probes, writes ${study}/ in the results bucket)`,
    });
    const source = stageDriverPackage({
      plan,
      origin: props.origin,
      bundles: props.bundles,
      stagingRoot: props.stagingRoot,
      files: { 'package.json': nodePackageJson('curtain-driver', [FUNCTIONS_FRAMEWORK]) },
      orchestration: props.orchestration,
    });
    this.function = new CloudFunction(this, 'driver', {
      provider: home.provider,
      name: gcpNames.driverFunction(study),
      region: plan.region,
      sourcesBucket: home.sourcesBucket,
      sourceObject: home.upload(source),
      runtime: hosting.runtimes.nodejs,
      entryPoint: 'driver',
      memoryMb: driverMemoryMb('gcp', plan.hosting),
      vcpu: props.vcpu ?? 1,
      timeoutSeconds: WORKFLOW_LIMITS.httpTimeoutSeconds,
      // Every shard of the widest burst at once, plus a control call.
      maxInstances: peakShards(plan) + 1,
      env: { CURTAIN_BUCKET: props.results.bucketName, CURTAIN_TARGETS: Fn.jsonencode(props.fleet.urls()) },
      serviceAccountEmail: this.account.email,
      labels: { ...gcpLabels(study), curtain_function: 'driver' },
      dependsOn: home.services,
    });
    props.results.grantStudyWrite(this.account, study);
    props.fleet.grantInvoke(this.account);
  }

  get url(): string {
    return this.function.fn.url;
  }

  /** Lets the orchestrator invoke the driver. */
  grantInvoke(orchestrator: ServiceAccount): void {
    new CloudRunV2ServiceIamMember(this, 'workflow-invokes-driver', {
      provider: this.home.provider,
      location: this.region,
      name: this.function.fn.serviceConfig.service,
      role: 'roles/run.invoker',
      member: `serviceAccount:${orchestrator.email}`,
    });
  }
}
