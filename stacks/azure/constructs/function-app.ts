/**
 * One Function App from a staged package, on the plan's hosting:
 *
 *   consumption  Linux Consumption (Y1, shared plans per tenant, 100 apps each): every
 *                instance has 1.5 GB, fixed by the platform. The package is a
 *                private blob the host fetches through a read-only SAS
 *                (WEBSITE_RUN_FROM_PACKAGE), and the host's own storage is a
 *                connection string: this plan offers no identity-based
 *                alternative for either.
 *   flex         Flex Consumption (FC1, one plan per app as the platform
 *                requires): instance memory 2,048 or 4,096 MB chosen per app
 *                (the plan's memoryMb), maximum instances per app. Package and
 *                host storage are reached with the app's managed identity, no key.
 *
 * Both: HTTPS only, TLS 1.2, FTP and basic-auth publishing off, the function
 * key required by the HTTP triggers.
 */
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { LinuxFunctionApp } from '@cdktf/provider-azurerm/lib/linux-function-app';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import type { TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CLOUD_LIMITS } from '../../../experiments/capabilities';
import { azureNames } from '../names';
import type { SecureStorageAccount } from './secure-storage-account';

export interface HostStorage {
  readonly storage: SecureStorageAccount;
  /** Read-only SAS for the packages container (Consumption only). */
  readonly packagesSas?: string;
  /** The tenant's Consumption plans, each for at most 100 apps (Consumption only). */
  readonly consumptionPlanIds?: readonly string[];
  /** Apps placed so far (the next app goes to plan floor(placed / 100)). */
  consumptionAppsPlaced?: number;
}

export interface FunctionAppProps {
  /** @default the stack's default azurerm provider */
  readonly provider?: AzurermProvider;
  readonly hosting: 'consumption' | 'flex';
  /** The app's globally unique name (the first label of its host name). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The tenant's host storage: packages, and the Functions host's own state. */
  readonly host: HostStorage;
  /** The zipped package; on Consumption also its blob URL in the host's packages container. */
  readonly package: { readonly asset: TerraformAsset; readonly blobUrl?: string };
  readonly runtime: 'nodejs' | 'python';
  /** The plan's runtime identifier, `node|22` or `python|3.13` (experiments/runtime-lifecycle.ts). */
  readonly runtimeVersion: string;
  /** Flex instance memory; ignored on Consumption (fixed 1.5 GB). */
  readonly memoryMb: number;
  readonly maxInstances: number;
  readonly appSettings: Record<string, string>;
  readonly tags: Record<string, string>;
  /** A managed identity even on Consumption (the driver: results, ARM updates). Flex apps always have one. */
  readonly identity: boolean;
  /**
   * Data-plane roles on the host account a Flex app needs beyond blobs (the Durable task hub: queues, tables).
   * @default none
   */
  readonly extraHostRoles?: readonly string[];
  /**
   * App settings the orchestrator changes at run time: Terraform leaves them alone.
   * @default none
   */
  readonly settingsChangedAtRunTime?: readonly string[];
}

/** `node|22` → Flex's runtime name and version and Linux Consumption's application stack. */
function runtimeSettings(runtime: 'nodejs' | 'python', runtimeVersion: string) {
  const [name, version] = runtimeVersion.split('|');
  const expected = runtime === 'nodejs' ? 'node' : 'python';
  if (name !== expected || !version) throw new Error(`FunctionApp: runtime ${runtime} cannot deploy "${runtimeVersion}" (expected ${expected}|<version>)`);
  return { flexName: name, flexVersion: version, stack: runtime === 'nodejs' ? { nodeVersion: version } : { pythonVersion: version } };
}

/** The pinned azurerm provider accepts a Flex app's maximum instance count within 40..1000 (capability table). */
const FLEX_MIN_MAX_INSTANCES = CLOUD_LIMITS.azure.flexMinimumMaximumInstanceCount.value;

/** The Consumption plan of the next app: plans fill up in order, 100 apps each. */
function nextConsumptionPlan(host: HostStorage): string {
  const placed = host.consumptionAppsPlaced ?? 0;
  host.consumptionAppsPlaced = placed + 1;
  const plan = host.consumptionPlanIds?.[Math.floor(placed / CLOUD_LIMITS.azure.consumptionAppsPerPlan.value)];
  if (!plan) throw new Error('FunctionApp: more Consumption apps than the tenant has plans for');
  return plan;
}

export class FunctionApp extends Construct {
  readonly id: string;
  readonly name: string;
  readonly defaultHostname: string;
  /** Principal of the system-assigned identity, when it has one. */
  readonly principalId?: string;

  constructor(scope: Construct, id: string, props: FunctionAppProps) {
    super(scope, id);
    const lifecycle = props.settingsChangedAtRunTime?.length
      ? { ignoreChanges: props.settingsChangedAtRunTime.map((s) => `app_settings["${s}"]`) }
      : undefined;
    const account = props.host.storage.account;
    const runtime = runtimeSettings(props.runtime, props.runtimeVersion);

    if (props.hosting === 'consumption') {
      const app = new LinuxFunctionApp(this, 'app', {
        provider: props.provider,
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        servicePlanId: nextConsumptionPlan(props.host),
        storageAccountName: account.name,
        // Linux Consumption: the host's storage needs a key (see secure-storage-account.ts).
        storageAccountAccessKey: account.primaryAccessKey,
        functionsExtensionVersion: '~4',
        httpsOnly: true,
        publicNetworkAccessEnabled: true,
        ftpPublishBasicAuthenticationEnabled: false,
        webdeployPublishBasicAuthenticationEnabled: false,
        builtinLoggingEnabled: false,
        identity: props.identity ? { type: 'SystemAssigned' } : undefined,
        siteConfig: {
          applicationStack: runtime.stack,
          minimumTlsVersion: '1.2',
          scmMinimumTlsVersion: '1.2',
          ftpsState: 'Disabled',
          http2Enabled: true,
          // Linux Consumption scales an app to at most 100 instances (200 is Windows'); a study asking more is measured against that.
          appScaleLimit: Math.min(props.maxInstances, CLOUD_LIMITS.azure.consumptionInstancesPerApp.value),
        },
        appSettings: { ...props.appSettings, WEBSITE_RUN_FROM_PACKAGE: `${props.package.blobUrl}${props.host.packagesSas}` },
        tags: props.tags,
        lifecycle,
      });
      this.id = app.id;
      this.name = app.name;
      this.defaultHostname = app.defaultHostname;
      this.principalId = props.identity ? app.identity.principalId : undefined;
      return;
    }

    const plan = new ServicePlan(this, 'plan', {
      provider: props.provider,
      name: `${props.name}-plan`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      osType: 'Linux',
      skuName: 'FC1',
      tags: props.tags,
    });
    const app = new FunctionAppFlexConsumption(this, 'app', {
      provider: props.provider,
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      servicePlanId: plan.id,
      storageContainerType: 'blobContainer',
      storageContainerEndpoint: `${account.primaryBlobEndpoint}${azureNames.packagesContainer}`,
      storageAuthenticationType: 'SystemAssignedIdentity',
      runtimeName: runtime.flexName,
      runtimeVersion: runtime.flexVersion,
      instanceMemoryInMb: props.memoryMb,
      maximumInstanceCount: Math.min(CLOUD_LIMITS.azure.flexInstancesPerApp.value, Math.max(FLEX_MIN_MAX_INSTANCES, props.maxInstances)),
      zipDeployFile: props.package.asset.path,
      httpsOnly: true,
      publicNetworkAccessEnabled: true,
      webdeployPublishBasicAuthenticationEnabled: false,
      identity: { type: 'SystemAssigned' },
      siteConfig: { minimumTlsVersion: '1.2', scmMinimumTlsVersion: '1.2', http2Enabled: true },
      // The host reaches its storage with the identity: no connection string anywhere.
      appSettings: { ...props.appSettings, AzureWebJobsStorage__accountName: account.name },
      tags: props.tags,
      lifecycle,
    });
    this.id = app.id;
    this.name = app.name;
    this.defaultHostname = app.defaultHostname;
    this.principalId = app.identity.principalId;
    for (const role of ['Storage Blob Data Owner', ...(props.extraHostRoles ?? [])]) {
      new RoleAssignment(this, `host-${role.toLowerCase().replace(/\s+/g, '-')}`, {
        provider: props.provider,
        scope: account.id,
        roleDefinitionName: role,
        principalId: app.identity.principalId,
        principalType: 'ServicePrincipal',
      });
    }
  }
}
