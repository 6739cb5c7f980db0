/**
 * `cloudflare-<study>`: one study on Cloudflare Workers, from its plan:
 *
 *   results bucket   R2, private (R2 buckets have no public access unless a
 *                    custom or r2.dev domain is added; the stack adds neither)
 *   probe fleet      one Worker per plan function, the probe bundle as an ES
 *                    module, the function's environment as plain-text bindings
 *   driver           one Worker with the driver bundle, plan.txt and
 *                    deployment.txt as text modules, a service binding per
 *                    probe, the R2 bucket, and the Workflow binding
 *   orchestrator     the `CurtainRun` Workflow (class in the driver Worker),
 *                    which walks the plan (probe-runtime/driver/cloudflare-workflow/)
 *
 * No Worker has a route, a custom domain or a workers.dev subdomain: probes are
 * reached only through the driver's service bindings, the driver only through
 * the Cloudflare API (`curtain start` creates a Workflow instance). The API
 * token comes from CLOUDFLARE_API_TOKEN (provider default), the account id is
 * the Terraform variable cloudflare_account_id. docs/cloudflare.md.
 */
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { R2Bucket } from '@cdktf/provider-cloudflare/lib/r2-bucket';
import { Workflow } from '@cdktf/provider-cloudflare/lib/workflow';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { CAPABILITIES } from '../../experiments/capabilities';
import type { StudyPlan } from '../../experiments/plan-schema';
import { driverBundleName, probeBundleName } from '../../probe-runtime/contracts/bundle-manifest';
import { type Deployment, driverDeploymentFiles } from '../../probe-runtime/contracts/deployment';
import { StableAddressStack } from '../cdktf/stable-address';
import type { CdktfStackProps } from '../../targets/provider-target';
import { WorkerScript } from './constructs/worker-script';
import { readBundleModule } from './bundle-module';
import { CLOUDFLARE_ACCOUNT_VARIABLE, cloudflareNames } from './names';

const ES_MODULE = 'application/javascript+module';
const TEXT_MODULE = 'text/plain';

/** deployment.json of a Cloudflare study: each function is reached through its service binding. */
export function cloudflareDeployment(plan: StudyPlan, props: Pick<CdktfStackProps, 'bundles' | 'origin'>): Deployment {
  return {
    v: 1,
    provider: plan.provider,
    region: plan.region,
    planHash: plan.hash,
    targets: Object.fromEntries(plan.functions.map((f, i) => [f.key, cloudflareNames.probeBinding(i)])),
    bundles: props.bundles.hashes(probeBundleName(plan.provider), driverBundleName(plan.provider)),
    ...(props.origin ? { origin: props.origin } : {}),
  };
}

export class CloudflareStudyStack extends StableAddressStack {
  constructor(scope: Construct, name: string, props: CdktfStackProps) {
    super(scope, name);
    const { plan, bundles } = props;
    const study = plan.study.id;
    new CloudflareProvider(this, 'cloudflare', {});
    const accountId = new TerraformVariable(this, CLOUDFLARE_ACCOUNT_VARIABLE, { type: 'string', description: 'Cloudflare account id (dashboard → Workers & Pages → Account details)' }).stringValue;

    const bucket = new R2Bucket(this, 'results', { accountId, name: cloudflareNames.resultsBucket(study), location: plan.region, storageClass: 'Standard' });

    const probe = readBundleModule(bundles, probeBundleName(plan.provider));
    const probes = plan.functions.map(
      (fn) =>
        new WorkerScript(this, `probe-${fn.key}`, {
          accountId,
          study,
          name: fn.name,
          modules: [{ name: 'index.js', contentType: ES_MODULE, content: probe }],
          bindings: Object.entries(fn.env).map(([variable, text]) => ({ type: 'plain_text', name: variable, text })),
          compatibilityDate: fn.runtimeVersion,
        }),
    );

    const files = driverDeploymentFiles(plan, cloudflareDeployment(plan, props));
    const driverName = cloudflareNames.driver(study);
    const driver = new WorkerScript(this, 'driver', {
      accountId,
      study,
      name: driverName,
      modules: [
        { name: 'index.js', contentType: ES_MODULE, content: readBundleModule(bundles, driverBundleName(plan.provider)) },
        { name: 'plan.txt', contentType: TEXT_MODULE, content: files['plan.json'] },
        { name: 'deployment.txt', contentType: TEXT_MODULE, content: files['deployment.json'] },
      ],
      bindings: [
        { type: 'r2_bucket', name: cloudflareNames.resultsBinding, bucketName: bucket.name },
        { type: 'plain_text', name: 'CURTAIN_BUCKET', text: bucket.name },
        { type: 'plain_text', name: 'CLOUDFLARE_ACCOUNT_ID', text: accountId },
        { type: 'workflow', name: cloudflareNames.workflowBinding, workflowName: cloudflareNames.workflow(study), className: cloudflareNames.workflowClass },
        ...probes.map((p, i) => ({ type: 'service', name: cloudflareNames.probeBinding(i), service: p.worker.name })),
      ],
      // The driver runs on the newest runtime the plan's Node functions use (one date per plan).
      compatibilityDate: plan.functions[0]?.runtimeVersion ?? CAPABILITIES.cloudflare.hosting.workers!.runtimes.nodejs,
    });

    const workflow = new Workflow(this, 'orchestrator', {
      accountId,
      workflowName: cloudflareNames.workflow(study),
      className: cloudflareNames.workflowClass,
      scriptName: driverName,
      dependsOn: [driver.deployment],
    });

    new TerraformOutput(this, 'results_bucket', { value: bucket.name });
    new TerraformOutput(this, 'workflow_name', { value: workflow.workflowName });
    new TerraformOutput(this, 'driver_worker', { value: driverName, description: 'No route and no workers.dev subdomain: reached through the Cloudflare API only.' });
  }
}
