/**
 * `azure-<study>`: one study on Azure Functions, from its plan.
 *
 *   resource group        per tenant (tenant b in a second subscription, provider alias)
 *   results account       HTTPS only, TLS 1.2, no public blobs, no shared keys, versioned,
 *                         retained; container `results`
 *   host account          per tenant: function packages and the Functions host's state
 *   probe Function Apps   one per plan function; memory per hosting plan: Consumption is
 *                         fixed at 1.5 GB, Flex Consumption 2,048 or 4,096 MB per app
 *   driver Function App   the Durable Functions orchestrator (probe-runtime/driver/adapters/azure.ts)
 *                         with a managed identity that may write only the results container
 *                         and change only the probe apps the plan updates
 *
 * Deploy-time values are Terraform variables: azure_subscription_id (and
 * azure_subscription_id_b for a study with a second tenant). Function keys
 * reach the driver as app settings, never as outputs.
 */
import { DataAzurermFunctionAppHostKeys } from '@cdktf/provider-azurerm/lib/data-azurerm-function-app-host-keys';
import { DataAzurermStorageAccountBlobContainerSas } from '@cdktf/provider-azurerm/lib/data-azurerm-storage-account-blob-container-sas';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { CAPABILITIES, CLOUD_LIMITS } from '../../experiments/capabilities';
import type { PlanFunction, StudyPlan } from '../../experiments/plan-schema';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import { STARTER_ROUTE } from '../../probe-runtime/driver/azure-durable/durable-contract';
import { PackageAssets } from '../cdktf/package-assets';
import { peakDemand, peakShards } from '../cdktf/peak-demand';
import type { RuntimeBundles } from '../cdktf/runtime-bundles';
import { installedPackageVersion, stagePackage } from '../cdktf/stage-package';
import { FunctionApp, type HostStorage } from './function-app';
import { azureNames, azureTags, NAME_SUFFIX_LENGTH, PROBE_ROUTE, suffixParts } from './names';
import { pythonProbeFiles } from './python-probe-files';
import { SecureStorageAccount } from './secure-storage-account';

export interface AzureStudyStackProps {
  plan: StudyPlan;
  /** Code, lockfile, runtimes and options of this synthesis, for each run's run.json (default: none recorded). */
  origin?: RunOrigin;
  bundles: RuntimeBundles;
  stagingRoot: string;
}

/**
 * The Node.js packages the bundles keep external: the Functions worker loads
 * @azure/functions from node_modules; durable-functions is vendored as one
 * bundle (stage-package.ts) sharing that @azure/functions.
 */
const AZURE_FUNCTIONS = ['@azure/functions'];
const DURABLE_FUNCTIONS = { name: 'durable-functions', external: AZURE_FUNCTIONS };

/** Why the host account keeps shared keys on Consumption (see secure-storage-account.ts). */
const CONSUMPTION_KEY_REASON =
  'Linux Consumption: the Functions host (AzureWebJobsStorage, the package SAS) supports only key-based access to its own storage';

/** The package SAS is read-only, limited to the packages container, and lives only in app settings. */
const PACKAGE_SAS_WINDOW = { start: '2026-01-01T00:00:00Z', expiry: '2031-01-01T00:00:00Z' };

interface TenantScope {
  tenant: string;
  provider: AzurermProvider;
  suffix: string;
  group: ResourceGroup;
  host: HostStorage;
}

export class AzureStudyStack extends TerraformStack {
  constructor(scope: Construct, name: string, props: AzureStudyStackProps) {
    super(scope, name);
    const { plan } = props;
    const study = plan.study.id;
    const location = plan.region;
    const hosting = plan.hosting as 'consumption' | 'flex';
    const tenants = [...new Set(plan.functions.map((f) => f.tenant))].sort();
    const packages = new PackageAssets(this);
    /** Zipped once; on Consumption uploaded once per tenant as a private blob the host reads with the SAS. */
    const packageFor = (t: TenantScope, dir: string) => {
      const asset = packages.archive(dir);
      if (hosting === 'flex') return { asset };
      const blobUrl = packages.upload(dir, `blob-${t.tenant}`, (a, id) =>
        new StorageBlob(this, id, {
          provider: t.provider,
          name: `${a.assetHash}.zip`,
          storageAccountName: t.host.storage.account.name,
          storageContainerName: azureNames.packagesContainer,
          type: 'Block',
          source: a.path,
          dependsOn: [t.host.storage.containers[azureNames.packagesContainer]!],
        }).url,
      );
      return { asset, blobUrl };
    };

    const scopes = new Map<string, TenantScope>();
    for (const tenant of tenants) {
      const suffixVar = tenant === 'a' ? '' : `_${tenant}`;
      const subscription = new TerraformVariable(this, `azure_subscription_id${suffixVar}`, {
        type: 'string',
        description: tenant === 'a' ? 'Azure subscription of the study (tenant a)' : `Azure subscription of tenant ${tenant} (a second subscription)`,
      }).stringValue;
      const provider = new AzurermProvider(this, `azurerm${suffixVar}`, {
        alias: tenant === 'a' ? undefined : `tenant_${tenant}`,
        subscriptionId: subscription,
        features: [{}],
        // Data-plane calls (containers, blobs) with Entra ID: the results account has no keys.
        storageUseAzuread: true,
      });
      const suffix = Fn.substr(Fn.sha256(Fn.join('', suffixParts(subscription, study))), 0, NAME_SUFFIX_LENGTH);
      const tags = azureTags(study, tenant);
      const group = new ResourceGroup(this, `group${suffixVar}`, { provider, name: azureNames.resourceGroup(study, tenant), location, tags });
      const storage = new SecureStorageAccount(this, `host-storage${suffixVar}`, {
        provider,
        name: azureNames.hostAccount(suffix),
        resourceGroupName: group.name,
        location,
        tags,
        containers: [azureNames.packagesContainer],
        retain: false,
        sharedKeyReason: hosting === 'consumption' ? CONSUMPTION_KEY_REASON : undefined,
      });
      const host: HostStorage = { storage };
      if (hosting === 'consumption') {
        host.packagesSas = new DataAzurermStorageAccountBlobContainerSas(this, `packages-sas${suffixVar}`, {
          provider,
          connectionString: storage.account.primaryConnectionString,
          containerName: azureNames.packagesContainer,
          httpsOnly: true,
          ...PACKAGE_SAS_WINDOW,
          permissions: { read: true, add: false, create: false, write: false, delete: false, list: false },
        }).sas;
        // A Consumption plan holds at most 100 function apps: the tenant's apps (and the driver) are split over enough plans.
        const apps = plan.functions.filter((f) => f.tenant === tenant).length + (tenant === tenants[0] ? 1 : 0);
        const perPlan = CLOUD_LIMITS.azure.consumptionAppsPerPlan.value;
        host.consumptionPlanIds = Array.from({ length: Math.ceil(apps / perPlan) }, (_, i) =>
          new ServicePlan(this, `consumption-plan${suffixVar}${i === 0 ? '' : `-${i + 1}`}`, {
            provider,
            name: `curtain-${study}-y1${i === 0 ? '' : `-${i + 1}`}`,
            resourceGroupName: group.name,
            location,
            osType: 'Linux',
            skuName: 'Y1',
            tags,
          }).id,
        );
      }
      scopes.set(tenant, { tenant, provider, suffix, group, host });
    }
    const home = scopes.get('a') ?? scopes.values().next().value!;
    const homeTags = azureTags(study, home.tenant);

    // ---- results ----------------------------------------------------------------------
    const results = new SecureStorageAccount(this, 'results', {
      provider: home.provider,
      name: azureNames.resultsAccount(home.suffix),
      resourceGroupName: home.group.name,
      location,
      tags: azureTags(study),
      containers: [azureNames.resultsContainer],
      retain: true,
    });

    // ---- probes -----------------------------------------------------------------------
    const updated = new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])));
    const changedSettings = ['CURTAIN_GENERATION', ...new Set(plan.steps.flatMap((s) => (s.kind === 'update' && s.change.kind === 'env' ? [s.change.name] : [])))];
    const probes = new Map<string, { app: FunctionApp; key: string }>();
    for (const fn of plan.functions) {
      const t = scopes.get(fn.tenant)!;
      const app = new FunctionApp(this, `probe-${fn.key}`, {
        provider: t.provider,
        hosting,
        name: azureNames.functionApp(fn.name, t.suffix),
        resourceGroupName: t.group.name,
        location,
        host: t.host,
        package: packageFor(t, this.probePackage(props, fn)),
        runtime: fn.runtime,
        runtimeVersion: fn.runtimeVersion,
        memoryMb: fn.memoryMb,
        maxInstances: peakDemand(plan, fn.key),
        appSettings: fn.env,
        tags: { ...azureTags(study, fn.tenant), 'curtain-function': fn.key },
        identity: false,
        settingsChangedAtRunTime: updated.has(fn.key) ? changedSettings : undefined,
      });
      const keys = new DataAzurermFunctionAppHostKeys(this, `probe-keys-${fn.key}`, { provider: t.provider, name: app.name, resourceGroupName: t.group.name });
      probes.set(fn.key, { app, key: keys.defaultFunctionKey });
    }

    // ---- driver -----------------------------------------------------------------------
    const driver = new FunctionApp(this, 'driver', {
      provider: home.provider,
      hosting,
      name: azureNames.driverApp(study, home.suffix),
      resourceGroupName: home.group.name,
      location,
      host: home.host,
      package: packageFor(home, this.driverPackage(props)),
      runtime: 'nodejs',
      runtimeVersion: CAPABILITIES.azure.hosting[hosting]!.runtimes.nodejs,
      memoryMb: hosting === 'flex' ? 2048 : CAPABILITIES.azure.driverMemoryMb,
      maxInstances: peakShards(plan) + 1,
      appSettings: {
        CURTAIN_BUCKET: azureNames.resultsContainer,
        CURTAIN_STORAGE_ACCOUNT: results.account.name,
        CURTAIN_TARGETS: Fn.jsonencode(Object.fromEntries([...probes].map(([key, p]) => [key, `https://${p.app.defaultHostname}${PROBE_ROUTE}`]))),
        // Secret: in the app's settings (and the Terraform state) only, never in an output.
        CURTAIN_FUNCTION_KEYS: Fn.jsonencode(Object.fromEntries([...probes].map(([key, p]) => [key, p.key]))),
        CURTAIN_APP_IDS: Fn.jsonencode(Object.fromEntries([...probes].filter(([key]) => updated.has(key)).map(([key, p]) => [key, p.app.id]))),
      },
      tags: { ...homeTags, 'curtain-function': 'driver' },
      identity: true,
      extraHostRoles: ['Storage Queue Data Contributor', 'Storage Table Data Contributor'],
    });
    // Least privilege: write only the results container, reconfigure only the apps the plan updates.
    new RoleAssignment(this, 'driver-writes-results', {
      provider: home.provider,
      scope: results.containerScope(azureNames.resultsContainer),
      roleDefinitionName: 'Storage Blob Data Contributor',
      principalId: driver.principalId!,
      principalType: 'ServicePrincipal',
    });
    for (const [key, { app }] of probes) {
      if (!updated.has(key)) continue;
      const fn = plan.functions.find((f) => f.key === key)!;
      new RoleAssignment(this, `driver-updates-${key}`, {
        provider: scopes.get(fn.tenant)!.provider,
        scope: app.id,
        roleDefinitionName: 'Website Contributor',
        principalId: driver.principalId!,
        principalType: 'ServicePrincipal',
      });
    }

    new TerraformOutput(this, 'resource_group', { value: home.group.name });
    new TerraformOutput(this, 'results_account', { value: results.account.name });
    new TerraformOutput(this, 'results_container', { value: azureNames.resultsContainer });
    new TerraformOutput(this, 'driver_app', { value: driver.name });
    new TerraformOutput(this, 'start_url', {
      value: `https://${driver.defaultHostname}/api/${STARTER_ROUTE}`,
      description: 'Requires the driver app\'s function key (curtain start fetches it through ARM).',
    });
  }

  private probePackage(props: AzureStudyStackProps, fn: PlanFunction): string {
    const host = hostJson({ functionTimeout: fn.timeoutSeconds, maxSeconds: CAPABILITIES.azure.hosting[props.plan.hosting]!.maxTimeoutSeconds });
    if (fn.runtime === 'python') {
      return stagePackage(props.stagingRoot, { from: [props.bundles.dir('probe-python')], files: { 'host.json': host, ...pythonProbeFiles() } });
    }
    return stagePackage(props.stagingRoot, {
      from: [props.bundles.dir('probe-azure')],
      files: { 'host.json': host, 'package.json': packageJson('curtain-probe', AZURE_FUNCTIONS) },
      nodeModules: AZURE_FUNCTIONS,
    });
  }

  private driverPackage(props: AzureStudyStackProps): string {
    const { plan } = props;
    const deployment: Deployment = {
      v: 1,
      provider: 'azure',
      region: plan.region,
      planHash: plan.hash,
      targets: {},
      bundles: props.bundles.hashes('probe-azure', 'driver-azure'),
      ...(props.origin ? { origin: props.origin } : {}),
    };
    return stagePackage(props.stagingRoot, {
      from: [props.bundles.dir('driver-azure')],
      files: {
        'plan.json': `${JSON.stringify(plan, null, 2)}\n`,
        'deployment.json': `${JSON.stringify(deployment, null, 2)}\n`,
        'package.json': packageJson('curtain-driver', [...AZURE_FUNCTIONS, DURABLE_FUNCTIONS.name]),
        'host.json': hostJson({
          // As long as the hosting plan allows (Consumption: 10 minutes); a shard's sends are bounded by the plan's timeouts.
          functionTimeout: 3600,
          maxSeconds: CAPABILITIES.azure.hosting[plan.hosting]!.maxTimeoutSeconds,
          durableHub: azureNames.taskHub(plan.study.id),
        }),
      },
      nodeModules: AZURE_FUNCTIONS,
      bundledModules: [DURABLE_FUNCTIONS],
    });
  }
}

function packageJson(name: string, modules: string[]): string {
  const dependencies = Object.fromEntries(modules.map((m) => [m, installedPackageVersion(m, __dirname)]));
  return `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js', dependencies }, null, 2)}\n`;
}

/** host.json; the function timeout leaves the probe its own timeout plus a margin, within the plan's maximum. */
function hostJson(options: { functionTimeout: number; maxSeconds: number; durableHub?: string }): string {
  const seconds = Math.min(options.functionTimeout + 30, options.maxSeconds);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${JSON.stringify(
    {
      version: '2.0',
      functionTimeout: `${hh}:${mm}:${ss}`,
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
      ...(options.durableHub ? { extensions: { durableTask: { hubName: options.durableHub } } } : {}),
    },
    null,
    2,
  )}\n`;
}
