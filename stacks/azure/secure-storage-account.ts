/**
 * A storage account with Curtain's defaults: HTTPS only, TLS 1.2 minimum, no
 * anonymous (public) blob access, Entra ID as the default data-plane
 * authentication, encryption at rest (always on in Azure Storage, here with
 * infrastructure double encryption too), tagged with the study.
 *
 * Shared-key access is disabled unless `sharedKeyReason` says why it cannot be:
 * the Linux Consumption plan's Functions host can only reach its own storage
 * with a connection string (the results account never needs keys).
 */
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Construct } from 'constructs';

export interface SecureStorageAccountProps {
  provider?: AzurermProvider;
  name: string;
  resourceGroupName: string;
  location: string;
  tags: Record<string, string>;
  containers: string[];
  /** Keep the account (and its data) when the stack is destroyed; versioning and soft delete on. */
  retain: boolean;
  /** Why shared keys must stay enabled; undefined disables them. */
  sharedKeyReason?: string;
}

export class SecureStorageAccount extends Construct {
  readonly account: StorageAccount;
  readonly containers: Record<string, StorageContainer> = {};

  constructor(scope: Construct, id: string, props: SecureStorageAccountProps) {
    super(scope, id);
    this.account = new StorageAccount(this, 'account', {
      provider: props.provider,
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountTier: 'Standard',
      accountReplicationType: 'LRS',
      accountKind: 'StorageV2',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: props.sharedKeyReason !== undefined,
      defaultToOauthAuthentication: true,
      infrastructureEncryptionEnabled: true,
      crossTenantReplicationEnabled: false,
      blobProperties: props.retain ? { versioningEnabled: true, deleteRetentionPolicy: { days: 30 }, containerDeleteRetentionPolicy: { days: 30 } } : undefined,
      tags: props.tags,
      lifecycle: props.retain ? { preventDestroy: true } : undefined,
    });
    for (const name of props.containers) {
      this.containers[name] = new StorageContainer(this, `container-${name}`, {
        provider: props.provider,
        name,
        storageAccountId: this.account.id,
        containerAccessType: 'private',
      });
    }
  }

  /** ARM scope of one container, for role assignments narrower than the account. */
  containerScope(name: string): string {
    return `${this.account.id}/blobServices/default/containers/${name}`;
  }
}
