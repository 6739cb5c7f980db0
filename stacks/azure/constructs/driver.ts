/**
 * The driver on Azure, which also runs the orchestrator: one Function App in
 * the primary tenant's resource group holding the driver's HTTP entry and the
 * Durable Functions orchestrator (probe-runtime/driver/azure-durable/) that
 * walks plan.json. Its package is the driver bundle with plan.json and
 * deployment.json (stacks/cdktf/driver-package.ts) and a host.json naming the
 * task hub. Its managed identity may write only the results container and
 * change only the probe apps update steps reconfigure; function keys reach
 * it as app settings, never as outputs.
 */
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
import { hostJson } from '../host-json';
import { azureNames, azureTags } from '../names';
import { FunctionApp } from './function-app';
import { AZURE_FUNCTIONS, type AzureProbeFleet } from './probe-fleet';
import type { AzureResultsStore } from './results-store';
import type { AzureTenantScope } from './tenant-scope';

/** durable-functions is vendored as one bundle (stage-package.ts) sharing the worker's @azure/functions. */
const DURABLE_FUNCTIONS = { name: 'durable-functions', external: AZURE_FUNCTIONS };

/**
 * The driver's function timeout before the hosting plan's maximum applies (Consumption: 10 minutes);
 * a shard's sends are bounded by the plan's timeouts.
 */
const DRIVER_FUNCTION_TIMEOUT_SECONDS = 3600;

export interface AzureDriverProps {
  readonly plan: StudyPlan;
  /** What the deployment was synthesized with, copied into each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  /** The primary tenant, whose subscription runs the driver. */
  readonly home: AzureTenantScope;
  readonly results: AzureResultsStore;
  readonly fleet: AzureProbeFleet;
  readonly bundles: BundleSet;
  readonly stagingRoot: string;
  /** How the Durable orchestrator splits a run into executions (continue as new), staged in deployment.json. */
  readonly orchestration: Orchestration;
}

export class AzureDriver extends Construct {
  readonly app: FunctionApp;

  constructor(scope: Construct, id: string, props: AzureDriverProps) {
    super(scope, id);
    addressTransparent(this);
    const { plan, home, fleet } = props;
    const study = plan.study.id;
    const hosting = CAPABILITIES.azure.hosting[plan.hosting]!;
    const source = stageDriverPackage({
      plan,
      origin: props.origin,
      bundles: props.bundles,
      stagingRoot: props.stagingRoot,
      files: {
        'package.json': nodePackageJson('curtain-driver', [...AZURE_FUNCTIONS, DURABLE_FUNCTIONS.name]),
        'host.json': hostJson({ functionTimeout: DRIVER_FUNCTION_TIMEOUT_SECONDS, maxSeconds: hosting.maxTimeoutSeconds, durableHub: azureNames.taskHub(study) }),
      },
      nodeModules: AZURE_FUNCTIONS,
      bundledModules: [DURABLE_FUNCTIONS],
      orchestration: props.orchestration,
    });
    this.app = new FunctionApp(this, 'driver', {
      provider: home.provider,
      hosting: plan.hosting as 'consumption' | 'flex',
      name: azureNames.driverApp(study, home.suffix),
      resourceGroupName: home.group.name,
      location: plan.region,
      host: home.host,
      package: home.packageFor(source),
      runtime: 'nodejs',
      runtimeVersion: hosting.runtimes.nodejs,
      memoryMb: driverMemoryMb('azure', plan.hosting),
      // Every shard of the widest burst at once, plus a control call.
      maxInstances: peakShards(plan) + 1,
      appSettings: {
        CURTAIN_BUCKET: props.results.container,
        CURTAIN_STORAGE_ACCOUNT: props.results.accountName,
        CURTAIN_TARGETS: Fn.jsonencode(fleet.urls()),
        // Secret: in the app's settings (and the Terraform state) only, never in an output.
        CURTAIN_FUNCTION_KEYS: Fn.jsonencode(fleet.functionKeys()),
        CURTAIN_APP_IDS: Fn.jsonencode(fleet.updatedAppIds()),
      },
      tags: { ...azureTags(study, home.tenant), 'curtain-function': 'driver' },
      identity: true,
      // The Durable task hub keeps its state in the host account's queues and tables.
      extraHostRoles: ['Storage Queue Data Contributor', 'Storage Table Data Contributor'],
    });
    // Least privilege: write only the results container, reconfigure only the apps the plan updates.
    props.results.grantWrite(this.app.principalId!);
    fleet.grantReconfigure(this.app.principalId!);
  }
}
