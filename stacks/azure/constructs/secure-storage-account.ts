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
  /** @default the stack's default azurerm provider */
  readonly provider?: AzurermProvider;
  /** The account's globally unique name: 3–24 lower-case letters and digits. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags: Record<string, string>;
  /** Private blob containers to create in the account. */
  readonly containers: readonly string[];
  /** Keep the account (and its data) when the stack is destroyed; versioning and soft delete on. */
  readonly retain: boolean;
  /**
   * Why shared keys must stay enabled.
   * @default shared keys disabled
   */
  readonly sharedKeyReason?: string;
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
