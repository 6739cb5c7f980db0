/**
 * The Cloudflare target's twin (targets/provider-target.ts, TwinRunner),
 * registered beside the target in targets/registry.ts: the vendor's own
 * runtime, workerd through miniflare (stacks/cloudflare/twin/run-in-workerd.ts).
 * The runner loads on use: reading the registry must not load miniflare.
 */
import type { TwinRunner } from '../../targets/provider-target';

export const cloudflareTwin: TwinRunner = {
  description: "the synthesized Workers, Workflow and R2 bucket in workerd (miniflare), the vendor's runtime",
  // workerd runs the probes, not the embedded platform: profiles, time scale and placement seed do not apply.
  options: ['bundles', 'max-invocations'],
  run: (request) => (require('./run-cloudflare-twin') as typeof import('./run-cloudflare-twin')).runCloudflareTwin(request),
};
