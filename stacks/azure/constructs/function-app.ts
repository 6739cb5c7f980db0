/**
 * One Function App from a staged package, on the plan's hosting:
 *
 *   consumption  Linux Consumption (Y1, one shared plan per tenant): every
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
import { azureNames } from '../names';
import type { SecureStorageAccount } from './secure-storage-account';

export interface HostStorage {
  readonly storage: SecureStorageAccount;
  /** Read-only SAS for the packages container (Consumption only). */
  readonly packagesSas?: string;
  /** The tenant's shared Consumption plan (Consumption only). */
  readonly consumptionPlanId?: string;
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
  /** The capability table's runtime identifier, `<stack>|<version>` (e.g. `node|22`, `python|3.12`). */
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

/** The Consumption site's application stack setting for each Functions runtime stack name. */
const APPLICATION_STACK_KEY: Record<string, 'nodeVersion' | 'pythonVersion'> = { node: 'nodeVersion', python: 'pythonVersion' };

/** `node|22` → { name: 'node', version: '22' } (the capability table's Azure runtime identifiers). */
export function functionsRuntime(runtimeVersion: string): { name: string; version: string } {
  const [name, version] = runtimeVersion.split('|');
  if (!name || !version || !APPLICATION_STACK_KEY[name]) throw new Error(`not an Azure Functions runtime identifier: "${runtimeVersion}" (expected node|<version> or python|<version>)`);
  return { name, version };
}

/** Flex Consumption requires an app's maximum instance count to be at least this (when checked, 2025). */
const FLEX_MIN_MAX_INSTANCES = 40;

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
    const runtime = functionsRuntime(props.runtimeVersion);

    if (props.hosting === 'consumption') {
      const app = new LinuxFunctionApp(this, 'app', {
        provider: props.provider,
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        servicePlanId: props.host.consumptionPlanId!,
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
          applicationStack: { [APPLICATION_STACK_KEY[runtime.name]!]: runtime.version },
          minimumTlsVersion: '1.2',
          scmMinimumTlsVersion: '1.2',
          ftpsState: 'Disabled',
          http2Enabled: true,
          appScaleLimit: props.maxInstances,
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
      runtimeName: runtime.name,
      runtimeVersion: runtime.version,
      instanceMemoryInMb: props.memoryMb,
      maximumInstanceCount: Math.max(FLEX_MIN_MAX_INSTANCES, props.maxInstances),
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
