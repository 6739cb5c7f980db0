/**
 * Registry of cloud provider clients used by `curtain start` and `curtain fetch`.
 * Adding a provider: implement ProviderClient in stacks/<provider>/client/ and add one entry.
 */
import type { ProviderClient } from './provider-client';

export const PROVIDER_CLIENTS: Partial<Record<'aws' | 'azure' | 'gcp', () => ProviderClient>> = {
  // Loaded on use, so commands that never talk to AWS do not load its SDK.
  aws: () => (require('../../stacks/aws/client/aws-provider-client') as typeof import('../../stacks/aws/client/aws-provider-client')).createAwsProviderClient(),
  gcp: () => (require('../../stacks/gcp/client/gcp-provider-client') as typeof import('../../stacks/gcp/client/gcp-provider-client')).createGcpProviderClient(),
  azure: () => (require('../../stacks/azure/client/azure-provider-client') as typeof import('../../stacks/azure/client/azure-provider-client')).createAzureProviderClient(),
};
