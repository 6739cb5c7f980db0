/**
 * Azure as a provider target (targets/provider-target.ts): Function App probes,
 * the driver and a Durable Functions orchestrator in one Function App, a Blob
 * container for results, deployed with CDK for Terraform (`azure-<study>`) on
 * the Consumption or Flex Consumption plan. cdktf and the azurerm provider
 * classes load only when a member that needs them is called.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { PRICE_TABLES } from '../../experiments/prices';
import { driverBundleName, probeBundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { CdktfDeployment, ProviderTarget } from '../../targets/provider-target';
import { cdktfRerunCommands } from '../cdktf/rerun';
import type { TerraformJson } from '../cdktf/synthesize';
import { AZURE_REGION } from './names';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: reading the registry must not load cdktf */
const segments = () => require('./durable-segments') as typeof import('./durable-segments');
const deployment: CdktfDeployment = {
  kind: 'cdktf',
  stackName: (study) => `azure-${study}`,
  // The Durable orchestrator walks plan.json in code: no definition size limit; a step must fit one execution's history budget.
  vet: (plan) => void segments().durableSegmentation(plan),
  addStack: (scope, name, props) => new (require('./azure-study-stack') as typeof import('./azure-study-stack')).AzureStudyStack(scope, name, props),
  checkPolicy: (template) => (require('./policy') as typeof import('./policy')).azurePolicy(template as TerraformJson),
  synthesize: (plans, options) => (require('../cdktf/synthesize') as typeof import('../cdktf/synthesize')).synthesizeCdktfStacks(deployment, plans, options),
};

export const azureTarget: ProviderTarget<'azure'> = {
  id: 'azure',
  capabilities: CAPABILITIES.azure,
  prices: PRICE_TABLES.azure,
  bundles: { probe: probeBundleName('azure'), driver: driverBundleName('azure') },
  options: { region: AZURE_REGION },
  deployment,
  // The orchestrator is code in the driver app (probe-runtime/driver/azure-durable/orchestrate-run.ts) that walks the plan.
  orchestrator: {
    engine: 'Azure Durable Functions (walks plan.json)',
    compile: (plan, options) => ({ format: 'plan', definition: plan, definitionSize: null, segmentation: segments().durableSegmentation(plan, options) }),
  },
  client: {
    kind: 'cloud',
    create: (env) => (require('./client/azure-provider-client') as typeof import('./client/azure-provider-client')).createAzureProviderClient(env),
  },
  rerunCommands: (plan, options = {}) => cdktfRerunCommands(deployment, plan, { ...options, withHosting: Object.keys(CAPABILITIES.azure.hosting).length > 1 }),
  guide: 'docs/azure.md',
};
