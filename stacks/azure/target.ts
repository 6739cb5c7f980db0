/**
 * Azure as a provider target (targets/provider-target.ts): Function App probes,
 * the driver and a Durable Functions orchestrator in one Function App, a Blob
 * container for results, deployed with CDK for Terraform (`azure-<study>`) on
 * the Consumption or Flex Consumption plan. cdktf and the azurerm provider
 * classes load only when a member that needs them is called.
 */
import type { ProviderTarget } from '../../targets/provider-target';
import { targetTables } from '../../targets/target-tables';
import { cdktfDeployment } from '../cdktf/cdktf-deployment';
import { cdktfRerunCommands } from '../cdktf/rerun';
import { AZURE_SUBSCRIPTION_VARIABLE } from './names';

// Modules are required on use: reading the registry must not load cdktf.
const segments = () => require('./durable-segments') as typeof import('./durable-segments');
const deployment = cdktfDeployment({
  provider: 'azure',
  // The Durable orchestrator walks plan.json in code: no definition size limit; a step must fit one execution's history budget.
  vet: (plan) => void segments().durableSegmentation(plan),
  stack: () => (require('./azure-study-stack') as typeof import('./azure-study-stack')).AzureStudyStack,
  policy: () => (require('./policy') as typeof import('./policy')).azurePolicy,
});

export const azureTarget: ProviderTarget<'azure'> = {
  ...targetTables('azure'),
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
  rerunCommands: (request) =>
    cdktfRerunCommands(
      {
        provider: 'azure',
        variable: AZURE_SUBSCRIPTION_VARIABLE,
        supplied: 'azureSubscription',
        placeholder: '<your-azure-subscription-id>',
        what: 'your Azure subscription',
        option: '--azure-subscription',
        tenantPlaceholder: (tenant) => `<tenant-${tenant}-azure-subscription-id>`,
        tenantWhat: (tenant) => `tenant ${tenant}'s Azure subscription`,
        // The Azure client derives every name from the subscription and the study (names.ts).
        clientArgs: (subscription) => ({ env: [['AZURE_SUBSCRIPTION_ID', subscription]], args: [] }),
      },
      request,
    ),
  guide: 'docs/azure.md',
};
