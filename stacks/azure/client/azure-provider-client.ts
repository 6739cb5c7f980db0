/**
 * `curtain start|fetch --provider azure`.
 *
 * start: reads the driver app's default function key through ARM (listkeys,
 * with the user's `az` login) and POSTs {run} to the Durable HTTP starter; the
 * key is used for that call only and never printed.
 * fetch: downloads a run from the results container with an Entra ID token
 * (`az account get-access-token --resource https://storage.azure.com/`), or
 * with a Shared Key connection string (AZURE_STORAGE_CONNECTION_STRING; azurite).
 * Names come from stacks/azure/names.ts and the subscription (AZURE_SUBSCRIPTION_ID
 * or `az account show`), or from --account / --resource-group / --stack.
 */
import type { CloudTargetOptions, FetchResult, ProviderClient, StartResult } from '../../../targets/client/provider-client';
import { newRunId } from '../../../probe-runtime/contracts/bucket-layout';
import { STARTER_ROUTE } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { ARM_API_VERSION, ARM_ENDPOINT } from '../../../probe-runtime/driver/azure-durable/update-app';
import { fromEnvOrCommand, requestOk } from '../../../targets/client/credentials';
import { fetchRunFrom } from '../../../targets/client/fetch-run';
import { azureNames, nameSuffix } from '../names';
import { blobAuthFromConnectionString, blobStore, type BlobAuth } from './blob-store';

export function createAzureProviderClient(env: NodeJS.ProcessEnv = process.env): ProviderClient {
  const subscription = () => fromEnvOrCommand(env, ['AZURE_SUBSCRIPTION_ID'], 'az', ['account', 'show', '--query', 'id', '-o', 'tsv'], 'Azure subscription');
  const azToken = (resource: string, envNames: string[]) =>
    fromEnvOrCommand(env, envNames, 'az', ['account', 'get-access-token', '--resource', resource, '--query', 'accessToken', '-o', 'tsv'], `Azure token for ${resource}`);

  return {
    provider: 'azure',
    async start(o, io): Promise<StartResult> {
      const sub = subscription();
      const group = o.resourceGroup ?? azureNames.resourceGroup(o.study);
      const app = o.stack ?? azureNames.driverApp(o.study, nameSuffix(sub, o.study));
      const arm = (o.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, '');
      const armToken = azToken(`${ARM_ENDPOINT}/`, ['CURTAIN_AZURE_ARM_TOKEN']);
      const keys = (await (
        await requestOk(
          `${arm}/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Web/sites/${app}/host/default/listkeys?api-version=${ARM_API_VERSION}`,
          { method: 'POST', headers: { authorization: `Bearer ${armToken}` } },
          `reading the function key of ${app}`,
        )
      ).json()) as { functionKeys?: Record<string, string> };
      const key = keys.functionKeys?.default;
      if (!key) throw new Error(`the driver app ${app} has no default function key`);
      const run = o.run ?? newRunId();
      io.err(`curtain: starting run ${run} on ${app}`);
      const res = await requestOk(
        `https://${app}.azurewebsites.net/api/${STARTER_ROUTE}`,
        { method: 'POST', headers: { 'x-functions-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ run }) },
        `starting ${o.study} on ${app}`,
      );
      const body = (await res.json()) as { id?: string };
      return {
        run,
        execution: body.id ?? run,
        watch: `https://portal.azure.com/#resource/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Web/sites/${app}/functions`,
      };
    },
    async fetch(o: CloudTargetOptions & { run?: string; out: string }, io): Promise<FetchResult> {
      let auth: BlobAuth;
      let endpoint: string;
      if (env.AZURE_STORAGE_CONNECTION_STRING) {
        ({ auth, endpoint } = blobAuthFromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING));
      } else {
        const account = o.account ?? azureNames.resultsAccount(nameSuffix(subscription(), o.study));
        endpoint = `https://${account}.blob.core.windows.net`;
        let token: string | undefined;
        auth = { kind: 'token', token: () => (token ??= azToken('https://storage.azure.com/', ['CURTAIN_AZURE_STORAGE_TOKEN'])) };
      }
      const store = blobStore(o.endpoint ?? endpoint, o.bucket ?? azureNames.resultsContainer, auth);
      return fetchRunFrom(store, { study: o.study, run: o.run, out: o.out, provider: 'azure' }, (l) => io.err(l));
    },
  };
}
