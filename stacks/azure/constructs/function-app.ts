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
 *                The package reaches the app through its own deployment
 *                container: Terraform uploads it there as `released-package.zip`
 *                (with Entra ID, the provider's storage_use_azuread), the name
 *                Flex's one deploy gives the package it runs. Not `zip_deploy_file`:
 *                the pinned azurerm documents that it relies on the WebDeploy
 *                basic-auth publishing credentials, which stay off here
 *                (azurerm 4.55.0 docs, function_app_flex_consumption, note on
 *                webdeploy_publish_basic_authentication_enabled; read 2026-12-06),
 *                and in azurerm 4.x it posts to /api/zipdeploy, which Flex does not
 *                serve (hashicorp/terraform-provider-azurerm#29630).
 *
 * Both: HTTPS only, TLS 1.2, FTP and basic-auth publishing off, the function
 * key required by the HTTP triggers.
 */
import { createHash } from 'node:crypto';
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { LinuxFunctionApp } from '@cdktf/provider-azurerm/lib/linux-function-app';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, type TerraformAsset } from 'cdktf';
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
  /** The app's own managed identity (the driver: results, ARM updates). Flex apps' hosts also have a user-assigned one for their storage. */
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

/**
 * The name Flex Consumption's one deploy gives the package in an app's deployment container, the one the
 * platform runs: Microsoft's article "Automate resource deployment for your function app" (Flex
 * Consumption, "Deployment package") as cited by public cdktf code that deploys this way. Checked
 * 2026-12-06 only through that citation and public deployment scripts, not against a live subscription.
 */
export const FLEX_PACKAGE_BLOB = 'released-package.zip';

/** One deployment container per Flex app (two apps sharing one would run each other's package). */
function deploymentContainerName(id: string): string {
  const name = `${azureNames.deploymentContainerPrefix}${id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/-+$/, '');
  // Container names are 3..63 characters: a longer id is named by its hash.
  return name.length <= 63 ? name : `${azureNames.deploymentContainerPrefix}${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
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
    const deployment = new StorageContainer(this, 'deployment', {
      provider: props.provider,
      name: deploymentContainerName(id),
      storageAccountId: account.id,
      containerAccessType: 'private',
    });
    const packageBlob = new StorageBlob(this, 'package', {
      provider: props.provider,
      name: FLEX_PACKAGE_BLOB,
      storageAccountName: account.name,
      storageContainerName: deployment.name,
      type: 'Block',
      source: props.package.asset.path,
      // The name is fixed, so a changed package is told by its MD5 (the provider's documented use of filemd5).
      contentMd5: Fn.filemd5(props.package.asset.path),
    });
    // The host's identity for its storage (packages, host state, the Durable task hub) is user-assigned,
    // so its roles exist before the app does and the app's first start can read its package: a
    // system-assigned identity gets roles only after the app exists (issue 10, defect 8).
    const hostIdentity = new UserAssignedIdentity(this, 'host-identity', {
      provider: props.provider,
      name: `${props.name}-host`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });
    const hostRoles = ['Storage Blob Data Owner', ...(props.extraHostRoles ?? [])].map(
      (role) =>
        new RoleAssignment(this, `host-${role.toLowerCase().replace(/\s+/g, '-')}`, {
          provider: props.provider,
          scope: account.id,
          roleDefinitionName: role,
          principalId: hostIdentity.principalId,
          principalType: 'ServicePrincipal',
        }),
    );
    const app = new FunctionAppFlexConsumption(this, 'app', {
      provider: props.provider,
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      servicePlanId: plan.id,
      storageContainerType: 'blobContainer',
      storageContainerEndpoint: `${account.primaryBlobEndpoint}${deployment.name}`,
      storageAuthenticationType: 'UserAssignedIdentity',
      storageUserAssignedIdentityId: hostIdentity.id,
      runtimeName: runtime.flexName,
      runtimeVersion: runtime.flexVersion,
      instanceMemoryInMb: props.memoryMb,
      maximumInstanceCount: Math.min(CLOUD_LIMITS.azure.flexInstancesPerApp.value, Math.max(FLEX_MIN_MAX_INSTANCES, props.maxInstances)),
      httpsOnly: true,
      publicNetworkAccessEnabled: true,
      webdeployPublishBasicAuthenticationEnabled: false,
      // The app's own (system-assigned) identity only where it acts itself: the driver (results, ARM updates).
      identity: { type: props.identity ? 'SystemAssigned, UserAssigned' : 'UserAssigned', identityIds: [hostIdentity.id] },
      siteConfig: { minimumTlsVersion: '1.2', scmMinimumTlsVersion: '1.2', http2Enabled: true },
      // The host reaches its storage with the identity: no connection string anywhere. A new package
      // changes CURTAIN_PACKAGE_MD5, and a settings change restarts the app onto it.
      appSettings: {
        ...props.appSettings,
        AzureWebJobsStorage__accountName: account.name,
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: hostIdentity.clientId,
        CURTAIN_PACKAGE_MD5: packageBlob.contentMd5,
      },
      tags: props.tags,
      lifecycle,
      // The package and the host identity's roles are in place before the app first starts.
      dependsOn: [packageBlob, ...hostRoles],
    });
    this.id = app.id;
    this.name = app.name;
    this.defaultHostname = app.defaultHostname;
    this.principalId = props.identity ? app.identity.principalId : undefined;
  }
}
