/**
 * The provider registry: one ProviderTarget per provider id, typed as a total
 * record, so a provider id without a target does not compile ("Property
 * '<id>' is missing") and a target whose id does not match its key does not
 * either. Every list of providers the CLI, the apps and the tests use is
 * derived from here (or, below this layer, from the ids in
 * probe-runtime/contracts/providers.ts). docs/adding-a-provider.md.
 */
import { PROVIDER_IDS, type ProviderId } from '../probe-runtime/contracts/providers';
import { localTarget } from '../local/target';
import { awsTarget } from '../stacks/aws/target';
import { azureTarget } from '../stacks/azure/target';
import { cloudflareTarget } from '../stacks/cloudflare/target';
import { gcpTarget } from '../stacks/gcp/target';
import { awsTwin } from '../twins/aws/twin';
import { azureTwin } from '../twins/azure/twin';
import { cloudflareTwin } from '../twins/cloudflare/twin';
import { gcpTwin } from '../twins/gcp/twin';
import type { ProviderClient } from './client/provider-client';
import type { CdktfDeployment, ProviderTarget } from './provider-target';

export const TARGETS: { readonly [P in ProviderId]: ProviderTarget<P> } = {
  aws: { ...awsTarget, twin: awsTwin },
  azure: { ...azureTarget, twin: azureTwin },
  gcp: { ...gcpTarget, twin: gcpTwin },
  cloudflare: { ...cloudflareTarget, twin: cloudflareTwin },
  local: localTarget,
};

/** Every target, in the order of the provider ids. */
export const TARGET_LIST: readonly ProviderTarget[] = PROVIDER_IDS.map((id) => TARGETS[id]);

/** Targets `curtain start` and `curtain fetch` can reach. */
export const CLIENT_TARGETS = TARGET_LIST.filter((t) => t.client.kind === 'cloud');

/** Targets `curtain run --target` can run: the local platform and every target with an offline twin. */
export const RUN_TARGETS = TARGET_LIST.filter((t) => t.deployment.kind === 'embedded' || t.twin !== undefined);

/** Targets deployed with CDK for Terraform (the cdktf app synthesizes their stacks). */
export function cdktfTargets(): (ProviderTarget & { readonly deployment: CdktfDeployment })[] {
  return TARGET_LIST.filter((t): t is ProviderTarget & { deployment: CdktfDeployment } => t.deployment.kind === 'cdktf');
}

/** The client of a target that has one; throws for one that has none, with the target's reason. */
export function clientOf(provider: ProviderId, env?: NodeJS.ProcessEnv): ProviderClient {
  const { client } = TARGETS[provider];
  if (client.kind === 'none') throw new Error(`the ${provider} target has no start/fetch client: ${client.reason}`);
  return client.create(env);
}
