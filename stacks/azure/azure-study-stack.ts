/**
 * `azure-<study>`: one study on Azure Functions, from its plan, composed like
 * the AWS StudyStack:
 *
 *   tenant scopes   a subscription each (a Terraform variable) with its provider,
 *                   resource group and host storage; tenant b in a second subscription
 *   results store   HTTPS only, TLS 1.2, no public blobs, no shared keys, versioned,
 *                   retained; container `results`
 *   probe fleet     one Function App per plan function; memory per hosting plan:
 *                   Consumption is fixed at 1.5 GB, Flex Consumption 2,048 or 4,096 MB per app
 *   driver          the driver and the Durable Functions orchestrator in one Function App,
 *                   whose managed identity may write only the results container and
 *                   change only the probe apps the plan updates
 *
 * Deploy-time values are Terraform variables: azure_subscription_id (and
 * azure_subscription_id_b for a study with a second tenant).
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { homeTenant, planTenants, tenantFunctions } from '../../experiments/plan-queries';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { BundleSet } from '../../probe-runtime/build/bundle-set';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { STARTER_ROUTE } from '../../probe-runtime/driver/azure-durable/durable-contract';
import { PackageAssets } from '../cdktf/package-assets';
import { StableAddressStack } from '../cdktf/stable-address';
import { durableSegmentation } from './durable-segments';
import { AzureDriver } from './constructs/driver';
import { AzureProbeFleet } from './constructs/probe-fleet';
import { AzureResultsStore } from './constructs/results-store';
import { AzureTenantScope } from './constructs/tenant-scope';

export interface AzureStudyStackProps {
  /** The plan the stack deploys; every value comes from it and the capability table. */
  readonly plan: StudyPlan;
  /** Code, lockfile, runtimes and options of this synthesis, for each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  /** The probe and driver bundles to package. */
  readonly bundles: BundleSet;
  /** Where function packages are staged before cdktf zips them. */
  readonly stagingRoot: string;
}

export class AzureStudyStack extends StableAddressStack {
  readonly results: AzureResultsStore;
  readonly fleet: AzureProbeFleet;
  readonly driver: AzureDriver;

  constructor(scope: Construct, name: string, props: AzureStudyStackProps) {
    super(scope, name);
    const { plan, origin, bundles, stagingRoot } = props;
    const study = plan.study.id;
    const hosting = plan.hosting as 'consumption' | 'flex';
    // Assets belong to the stack: a package zipped once serves every tenant and function.
    const packages = new PackageAssets(this);
    const homeId = homeTenant(plan);
    const apps = (tenant: string) => tenantFunctions(plan, tenant).length + (tenant === homeId ? 1 : 0);
    const tenants = new Map(
      planTenants(plan).map((tenant) => [tenant, new AzureTenantScope(this, `tenant-${tenant}`, { study, tenant, location: plan.region, hosting, apps: apps(tenant), packages })]),
    );
    const home = tenants.get(homeId)!;

    this.results = new AzureResultsStore(this, 'results', { study, location: plan.region, home });
    this.fleet = new AzureProbeFleet(this, 'probes', { plan, tenants, bundles, stagingRoot });
    const segmentation = durableSegmentation(plan);
    this.driver = new AzureDriver(this, 'driver', {
      plan,
      origin,
      home,
      results: this.results,
      fleet: this.fleet,
      bundles,
      stagingRoot,
      orchestration: { handOverAt: [...segmentation.handOverAt] },
    });

    new TerraformOutput(this, 'resource_group', { value: home.group.name });
    new TerraformOutput(this, 'results_account', { value: this.results.accountName });
    new TerraformOutput(this, 'results_container', { value: this.results.container });
    new TerraformOutput(this, 'driver_app', { value: this.driver.app.name });
    new TerraformOutput(this, 'start_url', {
      value: `https://${this.driver.app.defaultHostname}/api/${STARTER_ROUTE}`,
      description: 'Requires the driver app\'s function key (curtain start fetches it through ARM).',
    });
  }
}
