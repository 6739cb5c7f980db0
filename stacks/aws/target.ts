/**
 * AWS as a provider target (targets/provider-target.ts): Lambda probes and
 * driver, a Step Functions orchestrator compiled to ASL, an S3 results bucket,
 * deployed with the AWS CDK (cdk.json runs stacks/aws/app.ts). Heavy modules
 * (aws-cdk-lib, the AWS SDK) load only when a member that needs them is called.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ORCHESTRATION_LIMITS } from '../../experiments/capabilities';
import type { ProviderTarget } from '../../targets/provider-target';
import { targetTables } from '../../targets/target-tables';
import { studyStackName } from './naming';
import { awsRerunCommands } from './rerun';

// Modules are required on use: reading the registry must not load aws-cdk-lib or the AWS SDK.
const prepare = () => require('./prepare-study') as typeof import('./prepare-study');

export const awsTarget: ProviderTarget<'aws'> = {
  ...targetTables('aws'),
  deployment: {
    kind: 'cdk',
    vet: (plan) => void prepare().prepareStudy(plan),
    synthesize: (plans, options) => (require('./synthesize') as typeof import('./synthesize')).synthesizeAwsStacks(plans, options),
    // `cdk synth` writes curtain-<study>.template.json and its tenant stacks' beside it.
    synthesizedTemplates: (study, cwd) => {
      const dir = path.join(cwd, 'cdk.out');
      const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(studyStackName(study)) && n.endsWith('.template.json')) : [];
      return names.map((name) => ({ file: path.join(dir, name), name }));
    },
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
