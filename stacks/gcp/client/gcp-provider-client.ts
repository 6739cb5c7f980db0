/**
 * `curtain start|fetch --provider gcp`: starts a Workflows execution of the
 * study's workflow with a new run id, and downloads a run from the results
 * bucket. Names come from stacks/gcp/names.ts (no Terraform outputs needed);
 * the project from --project, GOOGLE_CLOUD_PROJECT or gcloud's configuration;
 * the access token from CURTAIN_GCP_ACCESS_TOKEN / GOOGLE_OAUTH_ACCESS_TOKEN
 * or `gcloud auth print-access-token`.
 */
import type { CloudTargetOptions, FetchResult, ProviderClient, StartResult } from '../../../targets/client/provider-client';
import { CAPABILITIES } from '../../../experiments/capabilities';
import { newRunId } from '../../../probe-runtime/contracts/bucket-layout';
import { fromEnvOrCommand, requestOk } from '../../../targets/client/credentials';
import { fetchRunFrom } from '../../../targets/client/fetch-run';
import { gcpNames } from '../names';
import { gcsStore } from './gcs-store';

export const WORKFLOW_EXECUTIONS_ROOT = 'https://workflowexecutions.googleapis.com';

export function createGcpProviderClient(env: NodeJS.ProcessEnv = process.env): ProviderClient {
  const project = (o: CloudTargetOptions) =>
    o.project ?? fromEnvOrCommand(env, ['GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT'], 'gcloud', ['config', 'get-value', 'project'], 'Google Cloud project (--project)');
  let cachedToken: string | undefined;
  const token = () =>
    (cachedToken ??= fromEnvOrCommand(env, ['CURTAIN_GCP_ACCESS_TOKEN', 'GOOGLE_OAUTH_ACCESS_TOKEN'], 'gcloud', ['auth', 'print-access-token'], 'Google access token'));

  return {
    provider: 'gcp',
    async start(o, io): Promise<StartResult> {
      const p = project(o);
      const region = o.region ?? CAPABILITIES.gcp.defaultRegion;
      const workflow = o.stack ?? gcpNames.workflow(o.study);
      const run = o.run ?? newRunId();
      const url = `${(o.endpoint ?? WORKFLOW_EXECUTIONS_ROOT).replace(/\/+$/, '')}/v1/projects/${p}/locations/${region}/workflows/${workflow}/executions`;
      io.err(`curtain: starting ${workflow} in ${p}/${region} (run ${run})`);
      const res = await requestOk(
        url,
        { method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' }, body: JSON.stringify({ argument: JSON.stringify({ run }) }) },
        `starting workflow ${workflow}`,
      );
      const execution = ((await res.json()) as { name?: string }).name ?? '(unknown)';
      const id = execution.split('/').pop();
      return { run, execution, watch: `https://console.cloud.google.com/workflows/workflow/${region}/${workflow}/execution/${id}?project=${p}` };
    },
    async fetch(o, io): Promise<FetchResult> {
      const bucket = o.bucket ?? gcpNames.resultsBucket(project(o), o.study);
      return fetchRunFrom(gcsStore(bucket, token, o.endpoint), { study: o.study, run: o.run, out: o.out, provider: 'gcp' }, (l) => io.err(l));
    },
  };
}
