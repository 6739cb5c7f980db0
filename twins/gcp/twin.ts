/**
 * The Google target's offline twin (targets/provider-target.ts, TwinRunner),
 * registered beside the target in targets/registry.ts. The runner loads on
 * use: reading the registry must not load cdktf, the Functions Framework or
 * the evaluator.
 */
import type { TwinRunner } from '../../targets/provider-target';

export const gcpTwin: TwinRunner = {
  description:
    'the synthesized Terraform JSON and function archives: its workflow in the Workflows evaluator, its functions served by the Functions Framework ' +
    'behind loopback Cloud Run fronts checking ID tokens (probes on the embedded local platform), its bucket in a loopback Cloud Storage API, ' +
    'its IAM bindings decided on every call (docs/twins.md)',
  // Its probes run on the embedded platform, so the platform's options apply; the bundles are the synthesized archives.
  options: ['profile', 'profile-set', 'time-scale', 'seed'],
  run: (request) => (require('./run-gcp-twin') as typeof import('./run-gcp-twin')).runGcpTwin(request),
};
