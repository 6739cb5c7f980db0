/**
 * Registry of cloud provider clients used by `curtain start` and `curtain fetch`.
 * Adding a provider: implement ProviderClient in stacks/<provider>/client/ and add one entry.
 */
import type { ProviderClient } from './provider-client';

export const PROVIDER_CLIENTS: Partial<Record<'aws' | 'azure' | 'gcp', () => ProviderClient>> = {};
