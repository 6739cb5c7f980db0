/**
 * The Azure target's offline twin (targets/provider-target.ts, TwinRunner),
 * registered beside the target in targets/registry.ts. The runner loads on
 * use: reading the registry must not load cdktf, azurite or the workers.
 */
import type { TwinRunner } from '../../targets/provider-target';

export const azureTwin: TwinRunner = {
  description:
    'the synthesized Terraform JSON and Function App packages: the driver app\'s Durable orchestrator replayed by a Durable Task side, its probe apps behind a TLS front door ' +
    'that checks function keys (probes on the embedded local platform), ARM and Blob calls decided by the stack\'s role assignments, blobs in azurite (docs/twins.md)',
  // Its probes run on the embedded platform, so the platform's options apply; the packages are the synthesized ones.
  options: ['profile', 'profile-set', 'time-scale', 'seed'],
  run: (request) => (require('./run-azure-twin') as typeof import('./run-azure-twin')).runAzureTwin(request),
};
