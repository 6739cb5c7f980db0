/**
 * The driver on Azure Functions (bundle driver-azure): a Function App hosting
 *   - the Durable orchestrator `curtainRun` (azure-durable/orchestrate-run.ts)
 *     that walks the plan deployed beside this file (plan.json);
 *   - the activity `curtainDriverEvent`: start-run, one burst shard, finish-run,
 *     through the driver core; probes are reached with their function keys
 *     (CURTAIN_FUNCTION_KEYS), results written to the Blob container with the
 *     app's managed identity (CURTAIN_BUCKET, CURTAIN_STORAGE_ACCOUNT);
 *   - the activity `curtainUpdate`: a probe app's settings through ARM;
 *   - the HTTP starter POST /api/runs {"run": "<id>"} (function key): starts an
 *     orchestration whose instance id is the run id, so a run starts at most once.
 * @azure/functions and durable-functions stay external: the stack ships them
 * in node_modules.
 */
import { app, type HttpRequest, type HttpResponse, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { loadDriverSetup, type DriverSetup } from '../config/load-setup';
import { makeDriverDeps } from '../host';
import { createHttpInvoker } from '../invokers/http';
import { functionKeyAuth, functionKeysFromEnv } from '../invokers/http-auth';
import { managedIdentityToken } from '../net/azure-managed-identity';
import { runDriverEvent } from '../run-driver-event';
import { blobSinkFromEnv } from '../sinks/azure-blob';
import { appIdsFromEnv, driverEventActivity, updateActivity, type UpdateDeps } from '../azure-durable/activities';
import { ACTIVITY, OrchestrationInput, ORCHESTRATOR_NAME, RunInput, STARTER_ROUTE } from '../azure-durable/durable-contract';
import { orchestrateRun } from '../azure-durable/orchestrate-run';
import { ARM_ENDPOINT } from '../azure-durable/update-app';

let setup: DriverSetup | undefined;
const loadSetup = () => (setup ??= loadDriverSetup(__dirname, process.env));

let driverDeps: ReturnType<typeof makeDriverDeps> | undefined;
const loadDriverDeps = () =>
  (driverDeps ??= makeDriverDeps(loadSetup(), {
    invoker: createHttpInvoker({ auth: functionKeyAuth(functionKeysFromEnv(process.env)) }),
    sink: blobSinkFromEnv(process.env),
  }));

let updateDeps: UpdateDeps | undefined;
const loadUpdateDeps = () => {
  if (!updateDeps) {
    const endpoint = process.env.CURTAIN_ARM_ENDPOINT ?? ARM_ENDPOINT;
    const token = managedIdentityToken(`${ARM_ENDPOINT}/`, process.env);
    updateDeps = { appIds: appIdsFromEnv(process.env), hosting: loadSetup().plan.hosting, arm: { endpoint, token: () => token.get() } };
  }
  return updateDeps;
};

df.app.orchestration(ORCHESTRATOR_NAME, function* (context) {
  const input = OrchestrationInput.parse(context.df.getInput());
  const { plan, deployment } = loadSetup();
  return yield* orchestrateRun(context.df, plan, input, deployment.orchestration?.handOverAt ?? []);
});

df.app.activity(ACTIVITY.driverEvent, { handler: (input: unknown) => driverEventActivity(input, (event) => runDriverEvent(event, loadDriverDeps())) });

df.app.activity(ACTIVITY.update, { handler: (input: unknown) => updateActivity(input, loadUpdateDeps()) });

export async function startRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit | HttpResponse> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return { status: 400, jsonBody: { error: 'POST {"run": "<run id>"} as JSON' } };
  }
  const parsed = RunInput.safeParse(body);
  if (!parsed.success) return { status: 400, jsonBody: { error: `run: ${parsed.error.issues[0]?.message ?? 'invalid'}` } };
  const client = df.getClient(context);
  // getStatus throws for an unknown instance: that is the normal case of a new run.
  const existing = await client.getStatus(parsed.data.run).catch(() => undefined);
  if (existing) return { status: 409, jsonBody: { error: `run ${parsed.data.run} already exists (${existing.runtimeStatus})` } };
  const instanceId = await client.startNew(ORCHESTRATOR_NAME, { instanceId: parsed.data.run, input: parsed.data });
  return client.createCheckStatusResponse(request, instanceId);
}

app.http('startRun', { route: STARTER_ROUTE, methods: ['POST'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: startRun });
