/**
 * One tenant's place on Azure: its subscription (a Terraform variable), a
 * provider for it (an alias for every tenant but the primary), a resource
 * group, and host storage for function packages and the Functions host's
 * state. On Consumption the tenant also gets the shared Y1 plan and a
 * read-only SAS the hosts fetch packages with. Names carry a suffix derived
 * from the subscription and the study (names.ts), so the CLI can find them.
 */
import { DataAzurermStorageAccountBlobContainerSas } from '@cdktf/provider-azurerm/lib/data-azurerm-storage-account-blob-container-sas';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { Fn, type TerraformAsset, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { CLOUD_LIMITS } from '../../../experiments/capabilities';
import { PRIMARY_TENANT } from '../../../experiments/plan-queries';
import type { PackageAssets } from '../../cdktf/package-assets';
import { addressTransparent, tenantSuffixed } from '../../cdktf/stable-address';
import { AZURE_SUBSCRIPTION_VARIABLE, azureNames, azureTags, NAME_SUFFIX_LENGTH, suffixParts } from '../names';
import type { HostStorage } from './function-app';
import { SecureStorageAccount } from './secure-storage-account';

/** Why the host account keeps shared keys on Consumption (see secure-storage-account.ts). */
const CONSUMPTION_KEY_REASON =
  'Linux Consumption: the Functions host (AzureWebJobsStorage, the package SAS) supports only key-based access to its own storage';

/** The package SAS is read-only, limited to the packages container, and lives only in app settings. */
const PACKAGE_SAS_WINDOW = { start: '2026-01-01T00:00:00Z', expiry: '2031-01-01T00:00:00Z' };

export interface AzureTenantScopeProps {
  readonly study: string;
  /** The tenant letter; the primary tenant's subscription holds the results and the driver. */
  readonly tenant: string;
  readonly location: string;
  readonly hosting: 'consumption' | 'flex';
  /** How many function apps the tenant runs (its probes, and the driver in the home tenant): Consumption plans hold 100 each. */
  readonly apps: number;
  /** The stack's packages, zipped once and uploaded once per tenant. */
  readonly packages: PackageAssets;
}

export class AzureTenantScope extends Construct {
  readonly tenant: string;
  readonly provider: AzurermProvider;
  /** Suffix of globally unique names (a Terraform expression over the subscription and the study). */
  readonly suffix: string;
  readonly group: ResourceGroup;
  readonly host: HostStorage;
  private readonly hosting: 'consumption' | 'flex';
  private readonly packages: PackageAssets;
  /** Holds the uploads, whose ids name their tenant already. */
  private readonly uploads: Construct;

  constructor(scope: Construct, id: string, props: AzureTenantScopeProps) {
    super(scope, id);
    const { study, tenant, location, hosting } = props;
    const primary = tenant === PRIMARY_TENANT;
    addressTransparent(this, tenantSuffixed(primary ? '' : `_${tenant}`));
    this.tenant = tenant;
    this.hosting = hosting;
    this.packages = props.packages;
    this.uploads = new Construct(this, 'uploads');
    addressTransparent(this.uploads);
    const subscription = new TerraformVariable(this, AZURE_SUBSCRIPTION_VARIABLE, {
      type: 'string',
      description: primary ? 'Azure subscription of the study (tenant a)' : `Azure subscription of tenant ${tenant} (a second subscription)`,
    }).stringValue;
    this.provider = new AzurermProvider(this, 'azurerm', {
      alias: primary ? undefined : `tenant_${tenant}`,
      subscriptionId: subscription,
      features: [{}],
      // Data-plane calls (containers, blobs) with Entra ID: the results account has no keys.
      storageUseAzuread: true,
    });
    this.suffix = Fn.substr(Fn.sha256(Fn.join('', suffixParts(subscription, study))), 0, NAME_SUFFIX_LENGTH);
    const tags = azureTags(study, tenant);
    const provider = this.provider;
    this.group = new ResourceGroup(this, 'group', { provider, name: azureNames.resourceGroup(study, tenant), location, tags });
    const storage = new SecureStorageAccount(this, 'host-storage', {
      provider,
      name: azureNames.hostAccount(this.suffix),
      resourceGroupName: this.group.name,
      location,
      tags,
      // Consumption apps share the packages container; each Flex app brings its own deployment container.
      containers: hosting === 'consumption' ? [azureNames.packagesContainer] : [],
      retain: false,
      sharedKeyReason: hosting === 'consumption' ? CONSUMPTION_KEY_REASON : undefined,
    });
    if (hosting === 'flex') {
      this.host = { storage };
      return;
    }
    const sas = new DataAzurermStorageAccountBlobContainerSas(this, 'packages-sas', {
      provider,
      connectionString: storage.account.primaryConnectionString,
      containerName: azureNames.packagesContainer,
      httpsOnly: true,
      ...PACKAGE_SAS_WINDOW,
      permissions: { read: true, add: false, create: false, write: false, delete: false, list: false },
    });
    // A Consumption plan holds at most 100 function apps: the tenant's apps (and the driver's) are split over enough plans.
    const plans = Array.from({ length: Math.ceil(props.apps / CLOUD_LIMITS.azure.consumptionAppsPerPlan.value) }, (_, i) => {
      const n = i === 0 ? '' : `-${i + 1}`;
      return new ServicePlan(this, `consumption-plan${n}`, { provider, name: `curtain-${study}-y1${n}`, resourceGroupName: this.group.name, location, osType: 'Linux', skuName: 'Y1', tags }).id;
    });
    this.host = { storage, packagesSas: sas.sas, consumptionPlanIds: plans };
  }

  /** A staged package zipped once; on Consumption uploaded once per tenant as a private blob the host reads with the SAS. */
  packageFor(dir: string): { asset: TerraformAsset; blobUrl?: string } {
    const asset = this.packages.archive(dir);
    if (this.hosting === 'flex') return { asset };
    const container = this.host.storage.containers[azureNames.packagesContainer]!;
    const blobUrl = this.packages.upload(
      dir,
      `blob-${this.tenant}`,
      (a, id) =>
        new StorageBlob(this.uploads, id, {
          provider: this.provider,
          name: `${a.assetHash}.zip`,
          storageAccountName: this.host.storage.account.name,
          storageContainerName: azureNames.packagesContainer,
          type: 'Block',
          source: a.path,
          dependsOn: [container],
        }).url,
    );
    return { asset, blobUrl };
  }
}
