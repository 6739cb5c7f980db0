/**
 * `curtain run <study> --target azure`: the Azure twin end to end.
 *   1. synthesize the study's `azure-<study>` stack as `npx cdktf synth` does (the cdktf app's
 *      pieces: buildCdktfApp, the deploy origin, the target's policy) into a scratch dir;
 *   2. read the Terraform JSON (terraform-stack.ts) and extract every Function App's package;
 *      index each app with the twin's Functions worker (a package that does not load is refused);
 *   3. start azurite with the stack's accounts, the managed identity endpoint, the TLS front door
 *      (apps by function key, Blob by RBAC, ARM by RBAC), the local platform for the probe apps;
 *   4. run the driver app's Durable orchestrator with the run id as instance id, replayed by the
 *      twin's Durable Task side (durable-replay.ts), its activities in the driver app's workers;
 *   5. fetch the run from azurite with the Azure client of `curtain fetch`, write twin.json, the report.
 * Every process and scratch directory is gone when it returns or throws.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { StudyPlan } from '../../experiments/plan-schema';
import { isDefinitionPath } from '../../experiments/resolve-study';
import { parseFaultOptions } from '../../local/faults';
import { LocalPlatform } from '../../local/platform/local-platform';
import { resolveProfile } from '../../local/profiles';
import { defaultTimeScale, TimeScale } from '../../local/time-scale';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import { STARTER_ROUTE } from '../../probe-runtime/driver/azure-durable/durable-contract';
import { ARM_API_VERSION, ARM_ENDPOINT } from '../../probe-runtime/driver/azure-durable/update-app';
import { azureNames, nameSuffix } from '../../stacks/azure/names';
import { buildCdktfApp } from '../../stacks/cdktf/build-app';
import { synthEnvironment, synthSets } from '../../stacks/cdktf/select-plans';
import { createAzureProviderClient } from '../../stacks/azure/client/azure-provider-client';
import { azureTarget } from '../../stacks/azure/target';
import { deployOrigin } from '../../stacks/deploy-origin';
import type { TwinRunRequest } from '../../targets/provider-target';
import { ProcessFunctions, type ProcessReply } from '../aws/process-functions';
import { closeTemplateTwinRun, type TemplateTwinResult } from '../close-template-twin-run';
import { appEnvironment, azureWorkerCommands, httpFunctions, indexApp, type IndexedFunction, readHostJson, type TwinNetwork } from './app-workers';
import type { ServiceReply } from './arm-api';
import { AzureCallLog } from './azure-calls';
import { OWNER } from './azure-roles';
import { DurableClientEndpoint } from './durable-client-endpoint';
import { startAzurite, type AzuriteTwin } from './azurite';
import { OrchestratorState, ReplayDivergenceError, runOrchestration, typedDataJson, type DurableHost } from './durable-replay';
import { FrontDoor, type HttpRequestIn } from './front-door';
import { liveApps, type LiveApp } from './live-apps';
import { ManagedIdentityEndpoint } from './managed-identity';
import { AzureTwinError, readAzureStack, TWIN_SUBSCRIPTIONS, type TwinAzureStack } from './terraform-stack';
import { makeTwinCertificate, type TwinCertificate } from './tls-cert';
import { extractZip } from './unzip-package';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface SynthesizedAzureTwin {
  plan: StudyPlan;
  /** cdktf.out/stacks/<stack>/cdk.tf.json */
  stackFile: string;
}

const setText = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** Synthesizes the study's Azure stack into `outdir` as `CURTAIN_STUDY=<id> CURTAIN_SET=... npx cdktf synth` would. */
export async function synthesizeAzureForTwin(request: Pick<TwinRunRequest, 'study' | 'sets' | 'log'>, outdir: string): Promise<SynthesizedAzureTwin> {
  await ensureRuntimeBuilt({ root: REPO_ROOT, log: (line) => request.log(`curtain: ${line}`) });
  const targets = [azureTarget] as const;
  const env: NodeJS.ProcessEnv = {
    CURTAIN_PROVIDERS: 'azure',
    ...(isDefinitionPath(request.study) ? { CURTAIN_DEFINITION: request.study } : { CURTAIN_STUDY: request.study }),
    ...(Object.keys(request.sets).length > 0
      ? {
          CURTAIN_SET: Object.entries(request.sets)
            .map(([k, v]) => `${k}=${setText(v)}`)
            .join(';'),
        }
      : {}),
  };
  const checked = synthEnvironment(env, [...targets] as Parameters<typeof synthEnvironment>[1]);
  const built = buildCdktfApp({
    outdir,
    env,
    targets: [...targets] as Parameters<typeof buildCdktfApp>[0]['targets'],
    bundleRoot: REPO_ROOT,
    originOf: ({ plan }) =>
      deployOrigin(plan, {
        definition: checked.CURTAIN_DEFINITION,
        sets: synthSets(checked),
        maxUsd: undefined,
        secondTenantAccount: null,
        bundleRoot: undefined,
      }),
  });
  const [study, ...more] = built.stacks;
  if (!study || more.length > 0) throw new AzureTwinError(built.skipped[0] ?? 'the Azure twin runs one study at a time');
  built.app.synth();
  const stackFile = path.join(outdir, 'stacks', study.stack, 'cdk.tf.json');
  const findings = azureTarget.deployment.kind === 'cdktf' ? azureTarget.deployment.checkPolicy(JSON.parse(readFileSync(stackFile, 'utf8'))) : [];
  if (findings.length > 0) throw new AzureTwinError(`${study.stack}: policy: ${findings.join('; ')}`);
  return { plan: study.plan, stackFile };
}

export type AzureTwinResult = TemplateTwinResult;

export async function runAzureTwin(request: TwinRunRequest): Promise<AzureTwinResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-twin-azure-'));
  try {
    request.log('twin: synthesizing the Azure stack as `cdktf synth` does');
    const synthesized = await synthesizeAzureForTwin(request, path.join(scratch, 'cdktf.out'));
    return await runAzureStack(synthesized, request, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

interface HostedApp {
  live: LiveApp;
  root: string;
  index: IndexedFunction[];
  timeoutSeconds: number;
  taskHub: string | null;
}

/** Runs a synthesized stack (the tests give it deliberately broken ones). `scratch` is the caller's to remove. */
export async function runAzureStack(synthesized: SynthesizedAzureTwin, request: TwinRunRequest, scratch: string): Promise<AzureTwinResult> {
  const began = performance.now();
  const { plan } = synthesized;
  const stack = readAzureStack(synthesized.stackFile);
  const runtimes = azureWorkerCommands();
  const hosted = prepareApps(stack, plan, runtimes, scratch);
  const driver = hosted.find((h) => h.index.some((f) => Object.values(f.bindings).some((b) => b.type === 'orchestrationTrigger')));
  if (!driver) throw new AzureTwinError('no Function App of the stack registers a Durable orchestrator');
  const orchestrators = driver.index.filter((f) => Object.values(f.bindings).some((b) => b.type === 'orchestrationTrigger'));
  if (orchestrators.length !== 1)
    throw new AzureTwinError(`${driver.live.spec.address}: ${orchestrators.length} orchestrators registered (the twin starts one)`);
  const orchestratorName = orchestrators[0]!.name;
  const names = new Map<string, string>();
  for (const h of hosted) {
    if (h.live.spec.principalId) names.set(h.live.spec.principalId, h === driver ? 'driver' : h.live.spec.name);
    for (const p of Object.values(h.live.spec.userIdentities)) names.set(p, `${h === driver ? 'driver' : h.live.spec.name} (host identity)`);
  }
  // The researcher who deployed the stack holds Owner on its subscriptions (outside the stack: Terraform needs it to create role assignments).
  const researcher = 'researcher';
  const subscriptions = [...new Set(stack.apps.map((a) => a.id.split('/').slice(0, 3).join('/')))];
  const calls = new AzureCallLog([...stack.assignments, ...subscriptions.map((scope) => ({ principalId: researcher, scope, role: OWNER }))], names);

  const profile = resolveProfile(request.profile, request.profileSet ?? {});
  const timeScale = new TimeScale(request.timeScale ?? defaultTimeScale(plan, profile).scale);
  let certificate: TwinCertificate;
  try {
    certificate = makeTwinCertificate(scratch);
  } catch (error) {
    throw new AzureTwinError(error instanceof Error ? error.message : String(error));
  }
  const run = request.run ?? newRunId();
  let azurite: AzuriteTwin | null = null;
  let identities: ManagedIdentityEndpoint | null = null;
  let frontDoor: FrontDoor | null = null;
  let durable: DurableClientEndpoint | null = null;
  let platform: LocalPlatform | null = null;
  const processes = new ProcessFunctions(runtimes, path.join(scratch, 'workers'));
  const onExit = () => {
    platform?.killAllNow();
    processes.killAllNow();
    azurite?.killNow();
  };
  process.once('exit', onExit);
  let executionFailure: string | null = null;
  try {
    try {
      azurite = await startAzurite(stack.storageAccounts).catch((error: unknown) => {
        throw new AzureTwinError(error instanceof Error ? error.message : String(error));
      });
      identities = await ManagedIdentityEndpoint.start();
      const host = durableHost(processes, driver.live.spec.name, orchestratorName, timeScale.scale);
      durable = await DurableClientEndpoint.start(async (name, instanceId, input) => {
        try {
          return await runOrchestration({ instanceId, name, input, host, log: request.log, signal: request.signal });
        } catch (error) {
          if (!(error instanceof ReplayDivergenceError)) throw error;
          return { status: 'failed', output: null, failure: error.message, executions: 0, episodes: 0 };
        }
      });
      const identityEnv = new Map(hosted.map((h) => [h, identities!.environmentOf(h.live.spec)]));
      let network: TwinNetwork | null = null;
      const envOf = (h: HostedApp) => appEnvironment(h.live, h.root, identityEnv.get(h)!, network!);
      const probeEnv = (h: HostedApp) => {
        const http = httpFunctions(h.index)[0]!;
        return {
          ...envOf(h),
          _CURTAIN_TWIN_HTTP: JSON.stringify({ function: http.name, url: `https://${h.live.spec.hostname}/${h.live.routePrefix}/${http.route}` }),
        };
      };
      const defineDriverLike = (h: HostedApp) =>
        processes.define(h.live.spec.name, { runtime: h.live.spec.runtime, timeoutSeconds: h.timeoutSeconds, env: envOf(h) });
      const apps = liveApps(
        hosted.map((h) => h.live),
        (live) => {
          const h = hosted.find((x) => x.live === live)!;
          if (live.planKey !== null)
            platform?.reconfigure(live.planKey, { memoryMb: live.memoryMb, env: probeEnv(h) }, `${live.settings.CURTAIN_GENERATION ?? 'rev'}@${live.revision}`);
          else defineDriverLike(h);
        },
      );
      frontDoor = await FrontDoor.start({
        certificate,
        apps,
        accounts: azurite.accounts,
        identities,
        calls,
        azurite: azurite.origin,
        keyHolder: (live) => (live.planKey !== null ? 'driver' : 'researcher'),
        invokeHttp: (live, fn, http) =>
          live.planKey !== null
            ? invokeProbe(platform, live, http.body)
            : invokeAppHttp(processes, live, hosted.find((h) => h.live === live)!, fn, http, durable!),
      });
      network = { certFile: certificate.certFile, frontDoorPort: frontDoor.port, region: plan.region };
      const probes = hosted.filter((h) => h.live.planKey !== null);
      platform = await LocalPlatform.start({
        profile,
        timeScale,
        faults: parseFaultOptions([], profile.faults),
        functions: plan.functions.map((f) => {
          const h = probes.find((p) => p.live.planKey === f.key);
          if (!h) throw new AzureTwinError(`plan function ${f.key}: no Function App of the stack has CURTAIN_FUNCTION=${f.key}`);
          return { ...f, memoryMb: h.live.memoryMb, timeoutSeconds: h.timeoutSeconds, env: probeEnv(h) };
        }),
        runtimes,
        workDir: path.join(scratch, 'platform'),
        seed: request.seed ?? 2018,
      });
      for (const h of hosted) if (h.live.planKey === null) defineDriverLike(h);
      request.log(
        `twin: ${hosted.length} Function Apps (${probes.length} on the local platform, profile ${profile.name}, time scale ${timeScale.scale}x), ` +
          `azurite ${azurite.origin}, front door https://127.0.0.1:${frontDoor.port}; starting run ${run} (orchestrator ${orchestratorName})`,
      );
      executionFailure = await startAsCurtainStart({ plan, run, templateHash: stack.hash, driver: driver.live, frontDoor, certificate, identities, durable: durable!, log: request.log });
    } finally {
      await platform?.stop();
      await processes.stop();
      await frontDoor?.close();
      await durable?.close();
      await identities?.close();
    }

    const results = resultsOf(driver);
    let runDir: string | null = null;
    let fetchFailure: string | null = null;
    try {
      runDir = azurite && results ? await fetchTwinRun(azurite, results, plan, run, request) : null;
    } catch (error) {
      fetchFailure = `fetch: ${error instanceof Error ? error.message : String(error)}`;
    }
    const failures = [executionFailure, ...calls.denied().map((c) => `denied: ${c.identity} ${c.action} on ${c.resource}`), fetchFailure].filter(
      (f): f is string => f !== null,
    );
    return await closeTemplateTwinRun(
      {
        target: 'azure',
        stack: path.basename(path.dirname(stack.file)),
        template: { file: stack.file, copyAs: 'cdk.tf.json', hash: stack.hash },
        run,
        runDir,
        planned: plan.invocations,
        stopFailure: executionFailure ?? fetchFailure,
        failures,
        identities: calls.summary().identities,
        calls: calls.calls.map((c) => ({ identity: c.identity, action: c.action, resource: c.resource, allowed: c.allowed })),
        store: 'the results container',
        began,
      },
      request,
    );
  } finally {
    await azurite?.stop();
    process.off('exit', onExit);
  }
}

/** Extracts and indexes every app of the stack; the probe apps are the ones whose CURTAIN_FUNCTION is a plan function. */
function prepareApps(stack: TwinAzureStack, plan: StudyPlan, runtimes: ReturnType<typeof azureWorkerCommands>, scratch: string): HostedApp[] {
  return stack.apps.map((spec) => {
    const root = path.join(scratch, 'apps', spec.name);
    extractZip(spec.packageZip, root);
    const index = indexApp(spec, root, runtimes);
    const hostJson = readHostJson(root, spec.address);
    const key = spec.appSettings.CURTAIN_FUNCTION;
    const planKey = key !== undefined && plan.functions.some((f) => f.key === key) ? key : null;
    const http = httpFunctions(index);
    if (planKey !== null && http.length !== 1)
      throw new AzureTwinError(`${spec.address}: a probe app must register one HTTP function (it registers ${http.length})`);
    const live: LiveApp = {
      spec,
      settings: { ...spec.appSettings },
      memoryMb: spec.memoryMb,
      revision: 0,
      http,
      routePrefix: hostJson.routePrefix,
      keys: { functionKeys: [spec.defaultFunctionKey], masterKey: randomBytes(32).toString('base64url') },
      planKey,
    };
    return { live, root, index, timeoutSeconds: hostJson.timeoutSeconds, taskHub: hostJson.taskHub };
  });
}

/** A probe app's HTTP function on the local platform; the platform's replies as the Functions host answers them. */
async function invokeProbe(platform: LocalPlatform | null, live: LiveApp, body: Buffer): Promise<ServiceReply> {
  if (!platform || live.planKey === null) return { status: 503, body: 'the app is not running' };
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'the request body is not JSON' }) };
  }
  const reply = await platform.invoke(live.planKey, event);
  return { status: reply.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(reply.body) };
}

/** An HTTP function of a non-probe app (the driver's starter) in the app's workers, with its durable client binding. */
async function invokeAppHttp(
  processes: ProcessFunctions,
  live: LiveApp,
  hosted: HostedApp,
  fn: string,
  http: HttpRequestIn,
  durable: DurableClientEndpoint,
): Promise<ServiceReply> {
  const headers = Object.fromEntries(Object.entries(http.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
  const reply = await processes.invoke(live.spec.name, {
    function: fn,
    trigger: {
      http: {
        method: http.method,
        url: http.url.toString(),
        headers,
        body: { string: http.body.toString('utf8') },
        query: Object.fromEntries(http.url.searchParams),
        params: {},
      },
    },
    extraInputs: {
      durableClient: { string: JSON.stringify(durable.bindingData(live.spec.hostname, hosted.taskHub ?? live.spec.name, live.spec.defaultFunctionKey)) },
    },
  });
  if (reply.kind !== 'response') return { status: 500, body: reply.kind === 'timeout' ? `Timeout value of the function ${fn} was exceeded` : reply.error };
  const out =
    (reply.response as { returnValue?: { http?: { statusCode?: string; headers?: Record<string, string>; body?: { string?: string } } } } | null)?.returnValue
      ?.http ?? {};
  return { status: Number(out.statusCode ?? 200), headers: out.headers ?? {}, body: out.body?.string ?? '' };
}

/**
 * Starts the run as `curtain start --provider azure` does (stacks/azure/client/azure-provider-client.ts): the driver
 * app's default key from ARM listkeys with the researcher's token, then POST {run} to the HTTP starter with it; the
 * app names come from the subscription and the study as the client derives them. Then waits for the orchestration.
 * Returns why the run failed, or null.
 */
async function startAsCurtainStart(ctx: {
  plan: StudyPlan;
  run: string;
  /** Handed to start-run through the starter's input, so run.json records it (RunInput). */
  templateHash: string;
  driver: LiveApp;
  frontDoor: FrontDoor;
  certificate: TwinCertificate;
  identities: ManagedIdentityEndpoint;
  durable: DurableClientEndpoint;
  log(line: string): void;
}): Promise<string | null> {
  const study = ctx.plan.study.id;
  const subscription = TWIN_SUBSCRIPTIONS[0];
  const app = azureNames.driverApp(study, nameSuffix(subscription, study));
  const token = ctx.identities.issue('researcher', `${ARM_ENDPOINT}/`);
  const keys = await twinHttps(
    ctx,
    'management.azure.com',
    'POST',
    `/subscriptions/${subscription}/resourceGroups/${azureNames.resourceGroup(study)}/providers/Microsoft.Web/sites/${app}/host/default/listkeys?api-version=${ARM_API_VERSION}`,
    { authorization: `Bearer ${token}` },
  );
  if (keys.status !== 200) return `start: reading the function key of ${app} through ARM: HTTP ${keys.status} ${keys.body.slice(0, 300)}`;
  const key = (JSON.parse(keys.body) as { functionKeys?: Record<string, string> }).functionKeys?.default;
  if (!key) return `start: the driver app ${app} has no default function key`;
  const started = await twinHttps(
    ctx,
    `${app}.azurewebsites.net`,
    'POST',
    `/api/${STARTER_ROUTE}`,
    { 'x-functions-key': key, 'content-type': 'application/json' },
    JSON.stringify({ run: ctx.run, templateHash: ctx.templateHash }),
  );
  if (started.status !== 202) return `start: POST https://${app}.azurewebsites.net/api/${STARTER_ROUTE}: HTTP ${started.status} ${started.body.slice(0, 300)}`;
  const instance = ctx.durable.instances.get(ctx.run);
  if (!instance) return `start: the starter answered 202 but started no orchestration with instance id ${ctx.run}`;
  const outcome = await instance.done;
  if (outcome.status === 'failed') return outcome.failure;
  ctx.log(`twin: orchestration ${instance.instance.name} completed after ${outcome.executions} execution(s), ${outcome.episodes} replays`);
  return null;
}

/** An HTTPS request to the front door for a cloud host name, as a client on the twin's network makes it (SNI, certificate checked). */
function twinHttps(
  ctx: { frontDoor: FrontDoor; certificate: TwinCertificate },
  host: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: ctx.frontDoor.port,
        servername: host,
        ca: ctx.certificate.cert,
        method,
        path: pathAndQuery,
        headers: { ...headers, host, 'content-length': String(Buffer.byteLength(body ?? '')) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The Durable Task side's view of the driver app: its orchestrator and activities run in the app's workers. */
function durableHost(processes: ProcessFunctions, app: string, orchestrator: string, timeScale: number): DurableHost {
  const call = async (fn: string, trigger: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> => {
    const reply: ProcessReply = await processes.invoke(app, { function: fn, trigger });
    switch (reply.kind) {
      case 'response':
        return { ok: true, value: (reply.response as { returnValue?: unknown } | null)?.returnValue ?? null };
      case 'error':
        return { ok: false, error: reply.error };
      case 'timeout':
        return { ok: false, error: `Timeout value of the function ${fn} was exceeded` };
      case 'crashed':
        return { ok: false, error: `the worker running ${fn} exited: ${reply.error}` };
    }
  };
  return {
    async runOrchestrator(binding) {
      const out = await call(orchestrator, { string: JSON.stringify(binding) });
      if (!out.ok) return { failure: orchestratorError(out.error) };
      const parsed = OrchestratorState.safeParse(JSON.parse(typedDataJson(out.value)));
      if (!parsed.success) return { failure: 'the orchestrator returned a state the Durable extension does not read' };
      return { state: parsed.data };
    },
    async callActivity(name, inputJson) {
      const out = await call(name, { json: inputJson });
      return out.ok ? { ok: true, result: typedDataJson(out.value) } : { ok: false, reason: out.error };
    },
    // Unreferenced: a timer of an interrupted or abandoned execution must not keep the process alive.
    timer: (fireAt) => new Promise((resolve) => setTimeout(resolve, Math.max(0, fireAt.getTime() - Date.now()) / timeScale).unref()),
    now: () => new Date(),
  };
}

/**
 * The message of an orchestrator that threw: durable-functions sends it as
 * OrchestrationFailureError, whose message ends with `$OutOfProcData$:` and the
 * orchestrator state, whose `error` is the orchestrator's own message.
 */
function orchestratorError(text: string): string {
  const [head, data] = text.split('\n\n$OutOfProcData$:');
  try {
    const error = (JSON.parse(data ?? '') as { error?: unknown }).error;
    if (typeof error === 'string' && error !== '') return error;
  } catch {
    // not the library's shape: the text itself
  }
  return head ?? text;
}

/** The results container the driver writes (its CURTAIN_STORAGE_ACCOUNT / CURTAIN_BUCKET settings); null when they do not name one. */
function resultsOf(driver: HostedApp): { account: string; container: string } | null {
  const account = driver.live.settings.CURTAIN_STORAGE_ACCOUNT;
  const container = driver.live.settings.CURTAIN_BUCKET;
  return account && container ? { account, container } : null;
}

/** `curtain fetch --provider azure` with the account's Shared Key (the azurite path of the client); null when the run wrote nothing. */
async function fetchTwinRun(
  azurite: AzuriteTwin,
  results: { account: string; container: string },
  plan: StudyPlan,
  run: string,
  request: TwinRunRequest,
): Promise<string | null> {
  if (!azurite.accounts.some((a) => a.name === results.account))
    throw new AzureTwinError(`results account ${results.account} is not a storage account of the stack`);
  const client = createAzureProviderClient({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString(results.account) });
  try {
    const fetched = await client.fetch(
      { study: plan.study.id, run, out: path.resolve(request.outDir), bucket: results.container, account: results.account },
      { err: request.log },
    );
    return fetched.dir;
  } catch (error) {
    if (/ is not in /.test(error instanceof Error ? error.message : '')) return null;
    throw error;
  }
}
