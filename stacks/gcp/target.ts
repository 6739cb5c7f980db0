/**
 * Google Cloud as a provider target (targets/provider-target.ts): Cloud
 * Functions 2nd gen probes and driver, a Workflows orchestrator, a Cloud
 * Storage results bucket, deployed with CDK for Terraform (`gcp-<study>`).
 * cdktf and the Google provider classes load only when a member that needs
 * them is called.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { ORCHESTRATION_LIMITS } from '../../experiments/orchestration-limits';
import { PRICE_TABLES } from '../../experiments/prices';
import { driverBundleName, probeBundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { CdktfDeployment, ProviderTarget } from '../../targets/provider-target';
import { cdktfRerunCommands } from '../cdktf/rerun';
import type { TerraformJson } from '../cdktf/synthesize';
import { GCP_REGION } from './names';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: reading the registry must not load cdktf */
const workflow = () => require('./workflow/compile-workflow') as typeof import('./workflow/compile-workflow');

const deployment: CdktfDeployment = {
  kind: 'cdktf',
  stackName: (study) => `gcp-${study}`,
  // The workflow must fit Google's limits (source size, a step within one execution): compiling it says so.
  vet: (plan) => void workflow().compileWorkflow(plan),
  addStack: (scope, name, props) => new (require('./gcp-study-stack') as typeof import('./gcp-study-stack')).GcpStudyStack(scope, name, props),
  checkPolicy: (template) => (require('./policy') as typeof import('./policy')).gcpPolicy(template as TerraformJson),
  synthesize: (plans, options) => (require('../cdktf/synthesize') as typeof import('../cdktf/synthesize')).synthesizeCdktfStacks(deployment, plans, options),
};

export const gcpTarget: ProviderTarget<'gcp'> = {
  id: 'gcp',
  capabilities: CAPABILITIES.gcp,
  prices: PRICE_TABLES.gcp,
  bundles: { probe: probeBundleName('gcp'), driver: driverBundleName('gcp') },
  options: { region: GCP_REGION },
  deployment,
  orchestrator: {
    engine: 'Google Cloud Workflows (YAML)',
    compile: (plan, options) => {
      const compiled = workflow().compileWorkflow(plan, options);
      return {
        format: 'workflows-yaml',
        definition: compiled.yaml,
        definitionSize: { bytes: Buffer.byteLength(compiled.yaml), limit: ORCHESTRATION_LIMITS.gcp.sourceBytes },
        segmentation: compiled.segmentation,
      };
    },
  },
  client: {
    kind: 'cloud',
    create: (env) => (require('./client/gcp-provider-client') as typeof import('./client/gcp-provider-client')).createGcpProviderClient(env),
  },
  rerunCommands: (plan, options = {}) => cdktfRerunCommands(deployment, plan, { ...options, withHosting: Object.keys(CAPABILITIES.gcp.hosting).length > 1 }),
  guide: 'docs/gcp.md',
};
