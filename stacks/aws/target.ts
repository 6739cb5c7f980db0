/**
 * AWS as a provider target (targets/provider-target.ts): Lambda probes and
 * driver, a Step Functions orchestrator compiled to ASL, an S3 results bucket,
 * deployed with the AWS CDK (cdk.json runs stacks/aws/app.ts). Heavy modules
 * (aws-cdk-lib, the AWS SDK) load only when a member that needs them is called.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { ORCHESTRATION_LIMITS } from '../../experiments/orchestration-limits';
import { PRICE_TABLES } from '../../experiments/prices';
import { driverBundleName, probeBundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { ProviderTarget } from '../../targets/provider-target';
import { AWS_REGION } from './naming';
import { awsRerunCommands } from './rerun';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: reading the registry must not load aws-cdk-lib or the AWS SDK */
const prepare = () => require('./prepare-study') as typeof import('./prepare-study');

export const awsTarget: ProviderTarget<'aws'> = {
  id: 'aws',
  capabilities: CAPABILITIES.aws,
  prices: PRICE_TABLES.aws,
  bundles: { probe: probeBundleName('aws'), driver: driverBundleName('aws') },
  options: { region: AWS_REGION },
  deployment: {
    kind: 'cdk',
    vet: (plan) => void prepare().prepareStudy(plan),
    synthesize: (plans, options) => (require('./synthesize') as typeof import('./synthesize')).synthesizeAwsStacks(plans, options),
  },
  orchestrator: {
    engine: 'AWS Step Functions (ASL)',
    compile: (plan, options) => {
      const prepared = prepare().prepareStudy(plan, options);
      return {
        format: 'asl',
        definition: prepared.definition,
        definitionSize: { bytes: prepared.usage.definitionBytes, limit: ORCHESTRATION_LIMITS.aws.definitionBytes },
        segmentation: prepared.usage.segmentation,
      };
    },
  },
  client: {
    kind: 'cloud',
    create: () => (require('./client/aws-provider-client') as typeof import('./client/aws-provider-client')).createAwsProviderClient(),
  },
  rerunCommands: awsRerunCommands,
  guide: 'docs/aws.md',
};
