/**
 * `curtain start|fetch --provider cloudflare`: creates an instance of the
 * study's Workflow named after a new run id (Workflows API: POST
 * /accounts/{account}/workflows/{workflow}/instances), and downloads a run
 * from the R2 bucket through R2's S3-compatible endpoint
 * (https://<account>.r2.cloudflarestorage.com, region `auto`). Names come from
 * ../names.ts. Credentials: CLOUDFLARE_ACCOUNT_ID,
 * CLOUDFLARE_API_TOKEN for start, and an R2 API token's key pair
 * (R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, read-only on the bucket) for fetch.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { newRunId } from '../../../probe-runtime/contracts/bucket-layout';
import { requestOk } from '../../../targets/client/credentials';
import { fetchRunFrom } from '../../../targets/client/fetch-run';
import type { CloudTargetOptions, FetchResult, ProviderClient, StartResult } from '../../../targets/client/provider-client';
import { s3Store } from '../../../targets/client/s3-store';
import { TargetError } from '../../../targets/target-errors';
import { cloudflareNames } from '../names';

export const CLOUDFLARE_API_ROOT = 'https://api.cloudflare.com/client/v4';

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new TargetError(`curtain: no ${what}: set ${name} (docs/cloudflare.md)`);
  return value;
}

export function createCloudflareProviderClient(env: NodeJS.ProcessEnv = process.env): ProviderClient {
  // From the environment only: --account names an Azure storage account and is validated as one.
  const account = (_o: CloudTargetOptions) => required(env, 'CLOUDFLARE_ACCOUNT_ID', 'Cloudflare account id');
  return {
    provider: 'cloudflare',
    async start(o, io): Promise<StartResult> {
      const workflow = o.stack ?? cloudflareNames.workflow(o.study);
      const run = o.run ?? newRunId();
      const url = `${(o.endpoint ?? CLOUDFLARE_API_ROOT).replace(/\/+$/, '')}/accounts/${account(o)}/workflows/${workflow}/instances`;
      io.err(`curtain: starting Workflow ${workflow} (run ${run})`);
      const token = required(env, 'CLOUDFLARE_API_TOKEN', 'Cloudflare API token');
      await requestOk(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ instance_id: run, params: { run } }) }, `starting Workflow ${workflow}`);
      return { run, execution: run, watch: `https://dash.cloudflare.com/${account(o)}/workers/workflows/${workflow}/instance/${run}` };
    },
    async fetch(o, io): Promise<FetchResult> {
      const bucket = o.bucket ?? cloudflareNames.resultsBucket(o.study);
      const s3 = new S3Client({
        region: 'auto',
        endpoint: o.endpoint ?? `https://${account(o)}.r2.cloudflarestorage.com`,
        forcePathStyle: true,
        credentials: { accessKeyId: required(env, 'R2_ACCESS_KEY_ID', 'R2 access key id'), secretAccessKey: required(env, 'R2_SECRET_ACCESS_KEY', 'R2 secret access key') },
      });
      return fetchRunFrom(s3Store(s3, bucket, 'r2'), { study: o.study, run: o.run, out: o.out, provider: 'cloudflare' }, (l) => io.err(l));
    },
  };
}
