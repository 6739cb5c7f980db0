/**
 * The AWS target's offline twin (targets/provider-target.ts, TwinRunner),
 * registered beside the target in targets/registry.ts. The runner loads on
 * use: reading the registry must not load aws-cdk-lib, s3rver or the SDK.
 */
import type { TwinRunner } from '../../targets/provider-target';

export const awsTwin: TwinRunner = {
  description:
    'the synthesized CloudFormation template and asset bundles: its state machine in aws-local-stepfunctions, its functions behind a loopback Lambda API ' +
    '(probes on the embedded local platform), its bucket in s3rver, its IAM policies evaluated on every call (docs/twins.md)',
  // Its probes run on the embedded platform, so the platform's options apply; the bundles are the synthesized assets.
  options: ['profile', 'profile-set', 'time-scale', 'seed'],
  run: (request) => (require('./run-aws-twin') as typeof import('./run-aws-twin')).runAwsTwin(request),
};
