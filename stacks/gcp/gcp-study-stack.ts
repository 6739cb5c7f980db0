/**
 * `gcp-<study>`: one study on Google Cloud, from its plan, composed like the
 * AWS StudyStack:
 *
 *   tenant scopes    one project each (a Terraform variable) with its provider,
 *                    APIs, package bucket and probe account; tenant b in a second project
 *   results bucket   private, versioned, retained; the driver may write only <study>/…
 *   probe fleet      Cloud Functions 2nd gen, one per plan function (memory, CPU,
 *                    runtime, max instances from the plan), invocable only by the driver
 *   driver           invokes only this study's probes
 *   orchestrator     Workflows YAML that walks the plan through the driver; may
 *                    invoke only the driver, patch only the functions its updates
 *                    change and, when a run takes several executions, start them
 *
 * Deploy-time values are Terraform variables: gcp_project (and gcp_project_b for
 * a study with a second tenant).
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { homeTenant, planTenants } from '../../experiments/plan-queries';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { BundleSet } from '../../probe-runtime/build/bundle-set';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { PackageAssets } from '../cdktf/package-assets';
import { StableAddressStack } from '../cdktf/stable-address';
import { GcpDriver } from './constructs/driver';
import { GcpOrchestrator } from './constructs/orchestrator';
import { GcpProbeFleet } from './constructs/probe-fleet';
import { GcpResultsBucket } from './constructs/results-bucket';
import { GcpTenantScope } from './constructs/tenant-scope';
import { compileWorkflow } from './workflow/compile-workflow';

export interface GcpStudyStackProps {
  /** The plan the stack deploys; every value comes from it and the capability table. */
  readonly plan: StudyPlan;
  /** Code, lockfile, runtimes and options of this synthesis, for each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  /** The probe and driver bundles to package. */
  readonly bundles: BundleSet;
  /** Where function packages are staged before cdktf zips them. */
  readonly stagingRoot: string;
}

export class GcpStudyStack extends StableAddressStack {
  readonly results: GcpResultsBucket;
  readonly fleet: GcpProbeFleet;
  readonly driver: GcpDriver;
  readonly orchestrator: GcpOrchestrator;

  constructor(scope: Construct, name: string, props: GcpStudyStackProps) {
    super(scope, name);
    const { plan, origin, bundles, stagingRoot } = props;
    const study = plan.study.id;
    // Assets belong to the stack: a package zipped once serves every tenant and function.
    const packages = new PackageAssets(this);
    const tenants = new Map(planTenants(plan).map((tenant) => [tenant, new GcpTenantScope(this, `tenant-${tenant}`, { study, tenant, region: plan.region, packages })]));
    const home = tenants.get(homeTenant(plan))!;

    this.results = new GcpResultsBucket(this, 'results', { study, region: plan.region, home });
    this.fleet = new GcpProbeFleet(this, 'probes', { plan, tenants, bundles, stagingRoot });
    const workflow = compileWorkflow(plan);
    this.driver = new GcpDriver(this, 'driver', {
      plan,
      origin,
      home,
      results: this.results,
      fleet: this.fleet,
      bundles,
      stagingRoot,
      orchestration: { handOverAt: [...workflow.segmentation.handOverAt] },
    });
    this.orchestrator = new GcpOrchestrator(this, 'orchestrator', { plan, workflow, tenants: [...tenants.values()], home, driver: this.driver, fleet: this.fleet });

    new TerraformOutput(this, 'results_bucket', { value: this.results.bucketName });
    new TerraformOutput(this, 'workflow_name', { value: this.orchestrator.workflow.name });
    new TerraformOutput(this, 'driver_url', { value: this.driver.url, description: 'Private: callable only by the workflow account.' });
  }
}
