/**
 * `gcp-<study>`: one study on Google Cloud, from its plan.
 *
 *   results bucket      private, versioned, retained; the driver may write only <study>/…
 *   probe functions     Cloud Functions 2nd gen, one per plan function (memory, CPU,
 *                       runtime, max instances from the plan), run as a service
 *                       account with no permissions; tenant b in a second project
 *   driver function     invokes only this study's probes (run.invoker on each)
 *   workflow            Workflows YAML compiled from the plan; may invoke only the
 *                       driver and patch only the functions its updates change
 *
 * Deploy-time values are Terraform variables: gcp_project (and gcp_project_b for
 * a study with a second tenant).
 */
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { Cloudfunctions2FunctionIamMember } from '@cdktf/provider-google/lib/cloudfunctions2-function-iam-member';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { CAPABILITIES, gcpVcpuForMemoryMb } from '../../experiments/capabilities';
import type { PlanFunction, StudyPlan } from '../../experiments/plan-schema';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import { PackageAssets } from '../cdktf/package-assets';
import { peakDemand, peakShards } from '../cdktf/peak-demand';
import type { RuntimeBundles } from '../cdktf/runtime-bundles';
import { installedPackageVersion, stagePackage } from '../cdktf/stage-package';
import { CloudFunction } from './cloud-function';
import { gcpLabels, gcpNames } from './names';
import { PrivateBucket } from './private-bucket';
import { compileWorkflow, WORKFLOW_ENV, WORKFLOW_LIMITS } from './workflow/compile-workflow';

export interface GcpStudyStackProps {
  plan: StudyPlan;
  /** Code, lockfile, runtimes and options of this synthesis, for each run's run.json (default: none recorded). */
  origin?: RunOrigin;
  bundles: RuntimeBundles;
  /** Where function packages are staged before cdktf zips them. */
  stagingRoot: string;
}

/** APIs the deployment uses; enabled in each project it deploys to, and left enabled on destroy. */
const SERVICES = ['cloudfunctions', 'run', 'cloudbuild', 'artifactregistry', 'storage', 'iam', 'workflows', 'logging'];


interface TenantScope {
  tenant: string;
  provider: GoogleProvider;
  project: string;
  sourcesBucket: string;
  probeAccount: ServiceAccount;
  services: ProjectService[];
}

export class GcpStudyStack extends TerraformStack {
  constructor(scope: Construct, name: string, props: GcpStudyStackProps) {
    super(scope, name);
    const { plan } = props;
    const study = plan.study.id;
    const region = plan.region;
    const labels = gcpLabels(study);
    const packages = new PackageAssets(this);
    /** The package zipped once and uploaded once per tenant project; returns the object name. */
    const upload = (t: TenantScope, dir: string) =>
      packages.upload(dir, `gcs-${t.tenant}`, (asset, id) =>
        new StorageBucketObject(this, id, { provider: t.provider, bucket: t.sourcesBucket, name: `packages/${asset.assetHash}.zip`, source: asset.path }).name,
      );
    const tenants = [...new Set(plan.functions.map((f) => f.tenant))].sort();

    // ---- tenants: one provider alias and project each --------------------------------
    const scopes = new Map<string, TenantScope>();
    for (const tenant of tenants) {
      const suffix = tenant === 'a' ? '' : `_${tenant}`;
      const project = new TerraformVariable(this, `gcp_project${suffix}`, {
        type: 'string',
        description: tenant === 'a' ? 'Google Cloud project of the study (tenant a)' : `Google Cloud project of tenant ${tenant} (a second project)`,
      }).stringValue;
      const provider = new GoogleProvider(this, `google${suffix}`, {
        alias: tenant === 'a' ? undefined : `tenant_${tenant}`,
        project,
        region,
        defaultLabels: gcpLabels(study, tenant),
      });
      const services = SERVICES.map(
        (s) => new ProjectService(this, `service-${s}${suffix}`, { provider, project, service: `${s}.googleapis.com`, disableOnDestroy: false }),
      );
      const sources = new PrivateBucket(this, `sources${suffix}`, {
        provider,
        name: gcpNames.sourcesBucket(project, study),
        location: region,
        labels: gcpLabels(study, tenant),
        retain: false,
      });
      const probeAccount = new ServiceAccount(this, `probe-account${suffix}`, {
        provider,
        accountId: gcpNames.serviceAccount(study, 'probe'),
        displayName: `Curtain ${study}: probes of tenant ${tenant} (no permissions)`,
      });
      scopes.set(tenant, { tenant, provider, project, sourcesBucket: sources.bucket.name, probeAccount, services });
    }
    const home = scopes.get('a') ?? scopes.values().next().value!;

    // ---- results bucket ---------------------------------------------------------------
    const results = new PrivateBucket(this, 'results', {
      provider: home.provider,
      name: gcpNames.resultsBucket(home.project, study),
      location: region,
      labels,
      retain: true,
    });

    // ---- identities -------------------------------------------------------------------
    const driverAccount = new ServiceAccount(this, 'driver-account', {
      provider: home.provider,
      accountId: gcpNames.serviceAccount(study, 'driver'),
      displayName: `Curtain ${study}: driver (invokes this study's probes, writes ${study}/ in the results bucket)`,
    });
    const flowAccount = new ServiceAccount(this, 'workflow-account', {
      provider: home.provider,
      accountId: gcpNames.serviceAccount(study, 'flow'),
      displayName: `Curtain ${study}: workflow (invokes the driver, updates the probes it reconfigures)`,
    });
    // The driver writes plan.json, run.json and shards under <study>/ (overwriting a retried shard needs delete).
    new StorageBucketIamMember(this, 'driver-writes-study-prefix', {
      provider: home.provider,
      bucket: results.bucket.name,
      role: 'roles/storage.objectUser',
      member: `serviceAccount:${driverAccount.email}`,
      condition: {
        title: `only ${study}/`,
        description: 'The driver may read and write only its study prefix.',
        expression: `resource.name.startsWith("projects/_/buckets/${results.bucket.name}/objects/${study}/")`,
      },
    });

    // ---- probes -----------------------------------------------------------------------
    const updated = new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])));
    const probes = new Map<string, CloudFunction>();
    for (const fn of plan.functions) {
      const t = scopes.get(fn.tenant)!;
      const probe = new CloudFunction(this, `probe-${fn.key}`, {
        provider: t.provider,
        name: fn.name,
        region,
        sourcesBucket: t.sourcesBucket,
        sourceObject: upload(t, this.probePackage(props, fn)),
        runtime: fn.runtimeVersion,
        entryPoint: 'probe',
        memoryMb: fn.memoryMb,
        vcpu: fn.vcpu ?? gcpVcpuForMemoryMb(fn.memoryMb),
        timeoutSeconds: fn.timeoutSeconds,
        maxInstances: peakDemand(plan, fn.key),
        env: fn.env,
        serviceAccountEmail: t.probeAccount.email,
        labels: { ...gcpLabels(study, fn.tenant), curtain_function: fn.key },
        changedAtRunTime: updated.has(fn.key),
        dependsOn: t.services,
      });
      probes.set(fn.key, probe);
      // Only the driver may invoke a probe.
      new CloudRunV2ServiceIamMember(this, `driver-invokes-${fn.key}`, {
        provider: t.provider,
        location: region,
        name: probe.fn.serviceConfig.service,
        role: 'roles/run.invoker',
        member: `serviceAccount:${driverAccount.email}`,
      });
      if (updated.has(fn.key)) {
        // The workflow's Cloud Functions connector patches this function (environment, memory).
        new Cloudfunctions2FunctionIamMember(this, `workflow-updates-${fn.key}`, {
          provider: t.provider,
          location: region,
          cloudFunction: probe.fn.name,
          role: 'roles/cloudfunctions.developer',
          member: `serviceAccount:${flowAccount.email}`,
        });
      }
    }
    // Redeploying a function as its runtime service account requires actAs on that account.
    for (const t of scopes.values()) {
      if (!plan.functions.some((f) => f.tenant === t.tenant && updated.has(f.key))) continue;
      new ServiceAccountIamMember(this, `workflow-acts-as-probe-${t.tenant}`, {
        provider: t.provider,
        serviceAccountId: t.probeAccount.name,
        role: 'roles/iam.serviceAccountUser',
        member: `serviceAccount:${flowAccount.email}`,
      });
    }

    // ---- driver -----------------------------------------------------------------------
    const caps = CAPABILITIES.gcp;
    const driver = new CloudFunction(this, 'driver', {
      provider: home.provider,
      name: gcpNames.driverFunction(study),
      region,
      sourcesBucket: home.sourcesBucket,
      sourceObject: upload(home, this.driverPackage(props)),
      runtime: caps.hosting.gen2!.runtimes.nodejs,
      entryPoint: 'driver',
      memoryMb: caps.driverMemoryMb,
      vcpu: 1,
      timeoutSeconds: WORKFLOW_LIMITS.httpTimeoutSeconds,
      // Every shard of the widest burst at once, plus a control call.
      maxInstances: peakShards(plan) + 1,
      env: {
        CURTAIN_BUCKET: results.bucket.name,
        CURTAIN_TARGETS: Fn.jsonencode(Object.fromEntries([...probes].map(([key, p]) => [key, p.fn.url]))),
      },
      serviceAccountEmail: driverAccount.email,
      labels: { ...labels, curtain_function: 'driver' },
      dependsOn: home.services,
    });
    new CloudRunV2ServiceIamMember(this, 'workflow-invokes-driver', {
      provider: home.provider,
      location: region,
      name: driver.fn.serviceConfig.service,
      role: 'roles/run.invoker',
      member: `serviceAccount:${flowAccount.email}`,
    });

    // ---- workflow ---------------------------------------------------------------------
    const compiled = compileWorkflow(plan);
    new ProjectIamMember(this, 'workflow-writes-logs', {
      provider: home.provider,
      project: home.project,
      role: 'roles/logging.logWriter',
      member: `serviceAccount:${flowAccount.email}`,
    });
    const workflow = new WorkflowsWorkflow(this, 'workflow', {
      provider: home.provider,
      name: gcpNames.workflow(study),
      region,
      description: `Curtain study ${study} (plan ${plan.hash.slice(0, 12)}): ${plan.steps.length} steps`,
      serviceAccount: flowAccount.email,
      sourceContents: terraformLiteral(compiled.yaml),
      userEnvVars: {
        [WORKFLOW_ENV.driverUrl]: driver.fn.url,
        ...Object.fromEntries([...scopes.values()].map((t) => [WORKFLOW_ENV.project(t.tenant), t.project])),
      },
      callLogLevel: 'LOG_ERRORS_ONLY',
      deletionProtection: false,
      labels,
      dependsOn: home.services,
    });

    new TerraformOutput(this, 'results_bucket', { value: results.bucket.name });
    new TerraformOutput(this, 'workflow_name', { value: workflow.name });
    new TerraformOutput(this, 'driver_url', { value: driver.fn.url, description: 'Private: callable only by the workflow account.' });
  }

  private probePackage(props: GcpStudyStackProps, fn: PlanFunction): string {
    if (fn.runtime === 'python') {
      return stagePackage(props.stagingRoot, {
        from: [props.bundles.dir('probe-python')],
        // The Python buildpack installs the Functions Framework that serves main.probe.
        files: { 'requirements.txt': 'functions-framework==3.*\n' },
      });
    }
    return stagePackage(props.stagingRoot, { from: [props.bundles.dir('probe-gcp')], files: { 'package.json': nodePackageJson('curtain-probe') } });
  }

  private driverPackage(props: GcpStudyStackProps): string {
    const deployment: Deployment = {
      v: 1,
      provider: 'gcp',
      region: props.plan.region,
      planHash: props.plan.hash,
      // Function URLs are known only once deployed: they come in CURTAIN_TARGETS.
      targets: {},
      bundles: props.bundles.hashes('probe-gcp', 'driver-gcp'),
      ...(props.origin ? { origin: props.origin } : {}),
    };
    return stagePackage(props.stagingRoot, {
      from: [props.bundles.dir('driver-gcp')],
      files: {
        'plan.json': `${JSON.stringify(props.plan, null, 2)}\n`,
        'deployment.json': `${JSON.stringify(deployment, null, 2)}\n`,
        'package.json': nodePackageJson('curtain-driver'),
      },
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

/** Cloud Build installs the Functions Framework that serves the bundle's exported function. */
function nodePackageJson(name: string): string {
  return `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js', dependencies: { '@google-cloud/functions-framework': installedPackageVersion('@google-cloud/functions-framework', __dirname) } }, null, 2)}\n`;
}
