/**
 * The study's results on Azure: a storage account in the primary tenant's
 * resource group (no shared keys, versioned, retained) with one private
 * container, written only through grantWrite.
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { addressTransparent } from '../../cdktf/stable-address';
import { azureNames, azureTags } from '../names';
import { SecureStorageAccount } from './secure-storage-account';
import type { AzureTenantScope } from './tenant-scope';

export interface AzureResultsStoreProps {
  readonly study: string;
  readonly location: string;
  /** The primary tenant, whose subscription holds the results. */
  readonly home: AzureTenantScope;
}

export class AzureResultsStore extends Construct {
  readonly accountName: string;
  readonly container = azureNames.resultsContainer;
  private readonly storage: SecureStorageAccount;
  private readonly home: AzureTenantScope;

  constructor(scope: Construct, id: string, props: AzureResultsStoreProps) {
    super(scope, id);
    addressTransparent(this);
    this.home = props.home;
    this.storage = new SecureStorageAccount(this, 'results', {
      provider: props.home.provider,
      name: azureNames.resultsAccount(props.home.suffix),
      resourceGroupName: props.home.group.name,
      location: props.location,
      tags: azureTags(props.study),
      containers: [this.container],
      retain: true,
    });
    this.accountName = this.storage.account.name;
  }

  /** Lets the driver's identity write blobs of the results container, and nothing else in the account. */
  grantWrite(principalId: string): void {
    new RoleAssignment(this, 'driver-writes-results', {
      provider: this.home.provider,
      scope: this.storage.containerScope(this.container),
      roleDefinitionName: 'Storage Blob Data Contributor',
      principalId,
      principalType: 'ServicePrincipal',
    });
  }
}
