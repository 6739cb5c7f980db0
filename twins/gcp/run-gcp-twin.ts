/**
 * `curtain run <study> --target gcp`: the Google twin end to end.
 *   1. synthesize the study as `npx cdktf synth` does (stacks/cdktf/synth-app.ts) into a scratch cdktf.out;
 *   2. read the stack's Terraform JSON and unpack each function's source archive (terraform-stack.ts);
 *   3. start the services: a metadata server per service account, the Cloud Run fronts (ID token
 *      audience, run.invoker), the Cloud Storage JSON API, the local platform for the probes;
 *   4. execute the synthesized workflow in the Workflows evaluator, as `curtain start` would start it;
 *   5. fetch the run from the twin's Cloud Storage with the Google client of `curtain fetch`,
 *      write twin.json (the calls per service account) and the report.
 * Every process, listener and scratch directory is gone when it returns or throws.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import extract from 'extract-zip';
import { isDefinitionPath } from '../../experiments/resolve-study';
import type { StudyPlan } from '../../experiments/plan-schema';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import { parseFaultOptions } from '../../local/faults';
import { LocalPlatform } from '../../local/platform/local-platform';
import { resolveProfile } from '../../local/profiles';
import { defaultTimeScale, TimeScale } from '../../local/time-scale';
import { createGcpProviderClient } from '../../stacks/gcp/client/gcp-provider-client';
import { gcpNames } from '../../stacks/gcp/names';
import { gcpTarget } from '../../stacks/gcp/target';
import { type CdktfTarget, SynthSelectionError } from '../../stacks/cdktf/select-plans';
import { installedPackageVersion } from '../../stacks/cdktf/stage-package';
import { synthesizeCdktfApp } from '../../stacks/cdktf/synth-app';
import type { TwinRunRequest } from '../../targets/provider-target';
import { TargetError } from '../../targets/target-errors';
import { GcpArtifactError } from './gcp-artifact-error';
import { ProcessFunctions } from '../aws/process-functions';
import { closeTemplateTwinRun, type TemplateTwinResult } from '../close-template-twin-run';
import { startFunctionFronts, type FunctionFronts } from './function-fronts';
import { GcpCallLog, GcpPolicy, resourceName } from './gcp-iam';
import { checkDeployable, gcfEnvironment, gcfRuntimeCommands, GcpFunctions, type LiveGcpFunction } from './gcp-functions';
import { startGcsEmulator, type GcsEmulator } from './gcs-emulator';
import { startMetadataServer, type MetadataServer } from './metadata-server';
import { functionNames, readGcpStack, readTemplate, type GcpStack } from './terraform-stack';
import { TokenAuthority } from './token-authority';
import { runExecutions } from './workflow-executions';
import { WorkflowDefinitionError } from './workflows-evaluator';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The twin's project ids: Terraform variable gcp_project → curtain-twin-a, gcp_project_<t> → curtain-twin-<t>. */
const PROJECT_PREFIX = 'curtain-twin';
const FUNCTIONS_FRAMEWORK = '@google-cloud/functions-framework';

export interface SynthesizedGcpTwin {
  plan: StudyPlan;
  /** cdktf.out/stacks/<stack>. */
  stackDir: string;
  stackName: string;
}

/** Synthesizes the study into `outdir` exactly as `CURTAIN_STUDY=<id> CURTAIN_SET=... npx cdktf synth` would. */
export async function synthesizeGcpForTwin(request: Pick<TwinRunRequest, 'study' | 'sets' | 'log'>, outdir: string): Promise<SynthesizedGcpTwin> {
  const env: NodeJS.ProcessEnv = {
    ...(isDefinitionPath(request.study) ? { CURTAIN_DEFINITION: request.study } : { CURTAIN_STUDY: request.study }),
    CURTAIN_PROVIDERS: 'gcp',
    CURTAIN_SET: Object.entries(request.sets)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(';'),
  };
  let synthesized: Awaited<ReturnType<typeof synthesizeCdktfApp>>;
  try {
    synthesized = await synthesizeCdktfApp({ root: REPO_ROOT, outdir, env, targets: [gcpTarget as CdktfTarget], log: request.log });
  } catch (error) {
    // The study cannot be deployed on Google (a refusal of the plan, not of the twin): one line, as `cdktf synth` says it.
    if (error instanceof SynthSelectionError) throw new TargetError(error.message, 'input');
    throw error;
  }
  const { built, findings } = synthesized;
  if (findings.length > 0) throw new GcpArtifactError(`policy: ${findings[0]}`);
  const [stack, ...more] = built.stacks;
  if (!stack || more.length > 0) throw new GcpArtifactError(built.skipped[0] ?? 'the Google twin runs one study at a time');
  return { plan: stack.plan, stackDir: path.join(outdir, 'stacks', stack.stack), stackName: stack.stack };
}

export type GcpTwinResult = TemplateTwinResult;

export async function runGcpTwin(request: TwinRunRequest): Promise<GcpTwinResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-twin-gcp-'));
  try {
    request.log('twin: synthesizing the Google stack as `cdktf synth` does');
    const synthesized = await synthesizeGcpForTwin(request, path.join(scratch, 'cdktf.out'));
    return await runGcpStack(synthesized, request, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Runs a synthesized stack (the tests give it deliberately broken ones). `scratch` is the caller's to remove. */
export async function runGcpStack(synthesized: SynthesizedGcpTwin, request: TwinRunRequest, scratch: string): Promise<GcpTwinResult> {
  const began = performance.now();
  const { plan } = synthesized;
  const { template } = readTemplate(synthesized.stackDir);
  const projects = Object.fromEntries(
    Object.keys((template.variable ?? {}) as Record<string, unknown>).map((v) => [v, v === 'gcp_project' ? `${PROJECT_PREFIX}-a` : `${PROJECT_PREFIX}-${v.replace(/^gcp_project_/, '')}`]),
  );
  const authority = new TokenAuthority();
  let calls: GcpCallLog | null = null;
  const fronts: FunctionFronts = await startFunctionFronts(functionNames(template), authority, () => calls!);
  const metadata = new Map<string, MetadataServer>();
  let gcs: GcsEmulator | null = null;
  let platform: LocalPlatform | null = null;
  const processes = new ProcessFunctions(gcfRuntimeCommands(), path.join(scratch, 'functions'));
  const onExit = () => {
    platform?.killAllNow();
    processes.killAllNow();
  };
  process.once('exit', onExit);
  const run = request.run ?? newRunId();
  let stack: GcpStack;
  let executionFailure: string | null = null;
  const deployerToken = authority.accessToken('deployer');
  try {
    stack = readGcpStack({ stackName: synthesized.stackName, stackDir: synthesized.stackDir, projects, urlOf: (name) => fronts.urls.get(name)! });
    const probeKeys = new Map<string, string>();
    for (const fn of stack.functions) {
      const key = fn.env.CURTAIN_FUNCTION;
      if (key !== undefined && plan.functions.some((f) => f.key === key)) probeKeys.set(fn.name, key);
    }
    calls = new GcpCallLog(new GcpPolicy(stack.bindings, stack.customRoles), identityNames(stack, probeKeys));
    const log = calls;
    const runtimes = gcfRuntimeCommands();
    const missing = [...new Set(stack.functions.map((f) => f.runtime))].filter((r) => !runtimes[r]);
    if (missing.length > 0) throw new GcpArtifactError(`no command runs ${missing.join(', ')} functions on this machine (python3 on PATH)`);
    const sources = await unpackSources(stack, path.join(scratch, 'sources'));
    for (const email of new Set(stack.functions.map((f) => f.serviceAccount))) metadata.set(email, await startMetadataServer(authority, email));

    const resultsBucket = gcpNames.resultsBucket(stack.workflow.project, plan.study.id);
    gcs = await startGcsEmulator({
      buckets: stack.buckets.map((name) => ({ name, project: stack.workflow.project })),
      authorize: (authorization, permission, resource) => {
        const owner = authority.accessTokenOwner(authorization);
        if (owner === null) {
          log.calls.push({ identity: 'unauthenticated', member: 'allUsers', permission, resource: resourceName(resource), allowed: false, at: new Date().toISOString() });
          return { allowed: false, status: 401, message: 'Anonymous caller does not have storage access.' };
        }
        if (owner === 'deployer') return { allowed: log.deployer(permission, resource) };
        if (log.authorize(owner, permission, resource)) return { allowed: true };
        return { allowed: false, status: 403, message: `${owner} does not have ${permission} access to the Google Cloud Storage object. Permission '${permission}' denied on resource (or it may not exist).` };
      },
    });
    const services = { metadataHost: (email: string) => metadata.get(email)!.host, storage: gcs.endpoint };
    const live: LiveGcpFunction[] = stack.functions.map((spec) => ({ spec, sourceDir: sources.get(spec.archive)!, memoryMb: spec.memoryMb, env: { ...spec.env }, revision: 1 }));
    const undeployable = await checkDeployable(live, services, runtimes, path.join(scratch, 'deploy'));
    if (undeployable) throw new GcpArtifactError(undeployable);
    const profile = resolveProfile(request.profile, request.profileSet ?? {});
    const timeScale = new TimeScale(request.timeScale ?? defaultTimeScale(plan, profile).scale);
    platform = await LocalPlatform.start({
      profile,
      timeScale,
      faults: parseFaultOptions([], profile.faults),
      functions: plan.functions
        .filter((f) => [...probeKeys.values()].includes(f.key))
        .map((f) => {
          const fn = live.find((l) => probeKeys.get(l.spec.name) === f.key)!;
          return { ...f, runtime: fn.spec.runtime, memoryMb: fn.memoryMb, timeoutSeconds: fn.spec.timeoutSeconds, env: gcfEnvironment(fn, services) };
        }),
      runtimes,
      workDir: path.join(scratch, 'platform'),
      seed: request.seed ?? 2018,
    });
    const functions = new GcpFunctions(live, { platform, processes, probeKeys, services, calls });
    for (const fn of live) fronts.attach({ name: fn.spec.name, project: fn.spec.project, url: fn.spec.url, invoke: (body) => functions.invoke(fn.spec.name, body) });
    request.log(
      `twin: ${stack.functions.length} functions (${probeKeys.size} on the local platform, profile ${profile.name}, time scale ${timeScale.scale}x), ` +
        `Cloud Storage ${gcs.endpoint}; starting run ${run}`,
    );
    // `curtain start --provider gcp`: an execution of the workflow with {run}, by the deployer, here with the
    // hash of the stack it runs, which start-run records in run.json.
    calls.deployer('workflows.executions.create', { kind: 'project', project: stack.workflow.project });
    const httpErrors: string[] = [];
    const outcomes = await runExecutions({ workflow: stack.workflow, authority, calls, functions, argument: { run, templateHash: stack.templateHash }, log: request.log, signal: request.signal, httpErrors });
    const failed = outcomes.find((o) => o.error !== null);
    const last = outcomes.at(-1)?.result as { status?: unknown; failures?: unknown } | null | undefined;
    // What the services answered, by name (the workflow's own failure records keep Workflows' message only).
    const answers = [...new Set(httpErrors.map((e) => e.replace(/^http:\/\/127\.0\.0\.1:\d+/, (origin) => `${nameAt(stack, origin)}`)))].slice(0, 3);
    const said = answers.length > 0 ? ` (${answers.join('; ')})` : '';
    if (failed) executionFailure = `execution ${failed.name.split('/').pop()} failed: ${failed.error?.slice(0, 400)}${said}`;
    else if (last && last.status !== 'completed') executionFailure = `the workflow closed the run as ${String(last.status)}: ${JSON.stringify(last.failures).slice(0, 400)}${said}`;
    return await finish(stack, { plan, run, request, began, gcs, resultsBucket, deployerToken, executionFailure, calls });
  } catch (error) {
    if (error instanceof WorkflowDefinitionError) throw new GcpArtifactError(`workflow: ${error.message}`);
    throw error;
  } finally {
    process.off('exit', onExit);
    await platform?.stop();
    await processes.stop();
    await fronts.close();
    await Promise.all([...metadata.values()].map((m) => m.close()));
    await gcs?.close();
  }
}

interface FinishParts {
  plan: StudyPlan;
  run: string;
  request: TwinRunRequest;
  began: number;
  gcs: GcsEmulator;
  resultsBucket: string;
  deployerToken: string;
  executionFailure: string | null;
  calls: GcpCallLog;
}

/** Fetches the run as `curtain fetch --provider gcp --bucket <b> --endpoint <twin>` does, writes twin.json and the report. */
async function finish(stack: GcpStack, p: FinishParts): Promise<GcpTwinResult> {
  const { plan, run, request, calls } = p;
  let runDir: string | null = null;
  let fetchFailure: string | null = null;
  if (p.gcs.names(p.resultsBucket).some((n) => n.startsWith(`${plan.study.id}/${run}/`))) {
    try {
      const client = createGcpProviderClient({ CURTAIN_GCP_ACCESS_TOKEN: p.deployerToken, GOOGLE_CLOUD_PROJECT: stack.workflow.project });
      const fetched = await client.fetch({ study: plan.study.id, run, out: path.resolve(request.outDir), bucket: p.resultsBucket, endpoint: p.gcs.endpoint, region: plan.region }, { err: request.log });
      runDir = fetched.dir;
    } catch (error) {
      fetchFailure = `fetch: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const denied = calls.denied();
  const failures = [p.executionFailure, ...denied.map((c) => `denied: ${c.identity} ${c.permission} on ${c.resource}`), fetchFailure].filter((f): f is string => f !== null);
  return closeTemplateTwinRun(
    {
      target: 'gcp',
      stack: stack.stackName,
      template: { file: stack.templateFile, copyAs: 'cdk.tf.json', hash: stack.templateHash },
      run,
      runDir,
      planned: plan.invocations,
      stopFailure: p.executionFailure ?? fetchFailure,
      failures,
      identities: calls.summary(),
      calls: calls.calls.map((c) => ({ identity: c.identity, action: c.permission, resource: c.resource, allowed: c.allowed })),
      store: 'the results bucket',
      began: p.began,
    },
    request,
  );
}

/** The function a loopback origin serves, for messages. */
function nameAt(stack: GcpStack, origin: string): string {
  return stack.functions.find((f) => f.url === origin)?.name ?? origin;
}

/** What holds each service account in the run: the driver's, the workflow's, the probes'. */
function identityNames(stack: GcpStack, probeKeys: ReadonlyMap<string, string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const email of stack.serviceAccounts) names.set(email, email.split('@')[0]!);
  for (const fn of stack.functions) names.set(fn.serviceAccount, probeKeys.has(fn.name) ? 'probe' : fn.entryPoint === 'driver' ? 'driver' : fn.name);
  names.set(stack.workflow.serviceAccount, 'workflow');
  return names;
}

/** Each distinct source archive unpacked once; a Node package must ask for the Functions Framework the twin serves it with. */
async function unpackSources(stack: GcpStack, root: string): Promise<Map<string, string>> {
  const installed = installedPackageVersion(FUNCTIONS_FRAMEWORK, REPO_ROOT);
  const dirs = new Map<string, string>();
  for (const fn of stack.functions) {
    if (!dirs.has(fn.archive)) {
      const dir = path.join(root, String(dirs.size));
      mkdirSync(dir, { recursive: true });
      try {
        await extract(fn.archive, { dir });
      } catch (error) {
        throw new GcpArtifactError(`${fn.address}: its source archive cannot be unpacked: ${error instanceof Error ? error.message : String(error)}`);
      }
      dirs.set(fn.archive, dir);
    }
    const dir = dirs.get(fn.archive)!;
    if (fn.runtime === 'nodejs') {
      let wanted: string | undefined;
      try {
        wanted = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies?.[FUNCTIONS_FRAMEWORK];
      } catch {
        throw new GcpArtifactError(`${fn.address}: its source has no readable package.json (Google's Node.js buildpack needs one)`);
      }
      if (wanted !== installed) throw new GcpArtifactError(`${fn.address}: package.json asks for ${FUNCTIONS_FRAMEWORK} ${wanted ?? '(none)'}; the twin serves ${installed}`);
    }
  }
  return dirs;
}
