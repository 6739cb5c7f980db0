/**
 * Cloudflare Workers as a provider target (targets/provider-target.ts): probe
 * Workers, a driver Worker, a Workflows orchestrator and an R2 results bucket,
 * deployed with CDK for Terraform (`cloudflare-<study>`). The runtime is
 * workerd, which also runs here (miniflare). cdktf and the provider classes
 * load only when a member that needs them is called.
 */
import type { ProviderTarget } from '../../targets/provider-target';
import { targetTables } from '../../targets/target-tables';
import { cdktfDeployment } from '../cdktf/cdktf-deployment';
import { cdktfRerunCommands } from '../cdktf/rerun';
import { CLOUDFLARE_ACCOUNT_VARIABLE } from './names';

const workflow = () => require('./workflow/compile-workflow') as typeof import('./workflow/compile-workflow');

const deployment = cdktfDeployment({
  provider: 'cloudflare',
  // The Workflow must fit Cloudflare's limits (steps per instance, sleep length), and Workers cannot change memory.
  vet: (plan) => workflow().vetWorkflowPlan(plan),
  stack: () => (require('./cloudflare-study-stack') as typeof import('./cloudflare-study-stack')).CloudflareStudyStack,
  policy: () => (require('./policy') as typeof import('./policy')).cloudflarePolicy,
});

export const cloudflareTarget: ProviderTarget<'cloudflare'> = {
  ...targetTables('cloudflare'),
  deployment,
  orchestrator: {
    engine: 'Cloudflare Workflows (a WorkflowEntrypoint walking plan.json)',
    compile: (plan) => {
      workflow().vetWorkflowPlan(plan);
      return {
        format: 'plan',
        definition: plan,
        // The orchestrator is code (the CurtainRun class) reading plan.txt.
        definitionSize: null,
        // One Workflow instance per run: Workflows limit neither its duration nor its sleeps below a year, and
        // a plan over the steps per instance is refused by vetWorkflowPlan (no hand-over to a new instance yet).
        segmentation: null,
      };
    },
  },
  client: {
    kind: 'cloud',
    create: (env) => (require('./client/cloudflare-provider-client') as typeof import('./client/cloudflare-provider-client')).createCloudflareProviderClient(env),
  },
  rerunCommands: (request) =>
    cdktfRerunCommands(
      {
        provider: 'cloudflare',
        variable: CLOUDFLARE_ACCOUNT_VARIABLE,
        supplied: 'cloudflareAccount',
        placeholder: '<your-cloudflare-account-id>',
        what: 'your Cloudflare account id',
        option: '--cloudflare-account',
        tenantPlaceholder: (tenant) => `<tenant-${tenant}-cloudflare-account-id>`,
        tenantWhat: (tenant) => `tenant ${tenant}'s Cloudflare account`,
        clientArgs: (account) => ({ env: [['CLOUDFLARE_ACCOUNT_ID', account]], args: [] }),
      },
      request,
    ),
  guide: 'docs/cloudflare.md',
};
