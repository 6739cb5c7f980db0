/**
 * The provider ids: the one hand-written list of providers in Curtain.
 *
 * Every table keyed by provider (capabilities, prices, bundles, the target
 * registry in targets/registry.ts, the probe's platform variables) is a total
 * `Record<ProviderId, …>`, so adding an id here makes the compiler name each
 * table that lacks it (docs/adding-a-provider.md lists them). Every other list
 * of providers is derived from this one or from the registry.
 *
 * `cloud` providers are platforms a study's claims can be about; `emulated`
 * ones (the embedded local platform) model a cloud through a profile.
 */
export const PROVIDER_KINDS = {
  aws: 'cloud',
  azure: 'cloud',
  gcp: 'cloud',
  cloudflare: 'cloud',
  local: 'emulated',
} as const satisfies Record<string, 'cloud' | 'emulated'>;

export type ProviderId = keyof typeof PROVIDER_KINDS;
/** A provider that is a real platform: claims name one, local profiles model one. */
export type CloudProviderId = { [P in ProviderId]: (typeof PROVIDER_KINDS)[P] extends 'cloud' ? P : never }[ProviderId];

/** Every provider id, in a fixed order (JSON Schemas and messages list them in it). */
export const PROVIDER_IDS = Object.keys(PROVIDER_KINDS) as [ProviderId, ...ProviderId[]];

export function isCloudProvider(provider: ProviderId): provider is CloudProviderId {
  return PROVIDER_KINDS[provider] === 'cloud';
}

export const CLOUD_PROVIDER_IDS = PROVIDER_IDS.filter(isCloudProvider) as [CloudProviderId, ...CloudProviderId[]];

/** A list of ids for messages: "a, b or c". */
export function listIds(ids: readonly string[], conjunction = 'or'): string {
  return ids.length <= 1 ? ids.join('') : `${ids.slice(0, -1).join(', ')} ${conjunction} ${ids[ids.length - 1]}`;
}
