/**
 * Google Cloud as a provider target (targets/provider-target.ts): Cloud
 * Functions 2nd gen probes and driver, a Workflows orchestrator, a Cloud
 * Storage results bucket, deployed with CDK for Terraform (`gcp-<study>`).
 * cdktf and the Google provider classes load only when a member that needs
 * them is called.
 */
import { ORCHESTRATION_LIMITS } from '../../experiments/capabilities';
import type { ProviderTarget } from '../../targets/provider-target';
import { targetTables } from '../../targets/target-tables';
import { cdktfDeployment } from '../cdktf/cdktf-deployment';
import { cdktfRerunCommands } from '../cdktf/rerun';
import { GCP_PROJECT_VARIABLE } from './names';

// Modules are required on use: reading the registry must not load cdktf.
const workflow = () => require('./workflow/compile-workflow') as typeof import('./workflow/compile-workflow');

const deployment = cdktfDeployment({
  provider: 'gcp',
  // The workflow must fit Google's limits (source size, a step within one execution): compiling it says so.
  vet: (plan) => void workflow().compileWorkflow(plan),
  stack: () => (require('./gcp-study-stack') as typeof import('./gcp-study-stack')).GcpStudyStack,
  policy: () => (require('./policy') as typeof import('./policy')).gcpPolicy,
});

export const gcpTarget: ProviderTarget<'gcp'> = {
  ...targetTables('gcp'),
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
  rerunCommands: (request) =>
    cdktfRerunCommands(
      {
        provider: 'gcp',
        variable: GCP_PROJECT_VARIABLE,
        supplied: 'gcpProject',
        placeholder: '<your-gcp-project-id>',
        what: 'your Google Cloud project',
        option: '--gcp-project',
        tenantPlaceholder: (tenant) => `<tenant-${tenant}-gcp-project-id>`,
        tenantWhat: (tenant) => `tenant ${tenant}'s Google Cloud project`,
        clientArgs: (project, region) => ({ env: [], args: ['--region', region, '--project', project] }),
      },
      request,
    ),
  guide: 'docs/gcp.md',
};
