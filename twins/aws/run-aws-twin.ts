/**
 * `curtain run <study> --target aws`: the AWS twin end to end.
 *   1. synthesize the study as `npx cdk synth` does (stacks/aws/synth-app.ts) into a scratch cloud assembly;
 *   2. read the template and its asset directories (cloud-assembly.ts);
 *   3. start s3rver with the results bucket, the twin's Lambda API, the local platform for the probes;
 *   4. execute the template's state machine (state-machine.ts) as `curtain start` would start it;
 *   5. fetch the run from s3rver with the AWS client of `curtain fetch`, write twin.json and the report.
 * Every process and scratch directory is gone when it returns or throws.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { isDefinitionPath } from '../../experiments/resolve-study';
import type { StudyPlan } from '../../experiments/plan-schema';
import { newRunId } from '../../probe-runtime/contracts/bucket-layout';
import { parseFaultOptions } from '../../local/faults';
import { LocalPlatform } from '../../local/platform/local-platform';
import { resolveProfile } from '../../local/profiles';
import { defaultTimeScale, TimeScale } from '../../local/time-scale';
import { createCurtainApp } from '../../stacks/aws/build-app';
import { createAwsProviderClient } from '../../stacks/aws/client/aws-provider-client';
import { synthesizeAwsApp } from '../../stacks/aws/synth-app';
import type { TwinRunRequest } from '../../targets/provider-target';
import { CallLog } from './call-log';
import { DeploymentFaults } from './deployment-faults';
import { readTenantStack, readTwinStack, TwinArtifactError, type TwinStack } from './cloud-assembly';
import { startLambdaApi, type LambdaApi } from './lambda-api';
import { lambdaBackend, lambdaEnvironment, lambdaRuntimeCommands, probeKeyOf } from './lambda-functions';
import { ProcessFunctions } from './process-functions';
import { startS3Twin, type S3Twin } from './s3-twin';
import { runStateMachine } from './state-machine';
import { summarizeCalls } from './twin-summary';
import { closeTemplateTwinRun, type TemplateTwinResult } from '../close-template-twin-run';

/** The twin's account: AWS's documentation example account, never a real one. */
export const TWIN_ACCOUNT = '111122223333';

export interface SynthesizedTwin {
  plan: StudyPlan;
  assemblyDir: string;
  stackName: string;
  /** The study's further tenants' stacks (the isolation study's tenant b), in the same account. */
  tenantStackNames?: readonly string[];
}

/** Synthesizes the study into `dir` exactly as `npx cdk synth -c study=<id> -c set.<k>=<v>` would. */
export async function synthesizeForTwin(request: Pick<TwinRunRequest, 'study' | 'sets' | 'log'>, dir: string): Promise<SynthesizedTwin> {
  const context: Record<string, unknown> = {
    ...(isDefinitionPath(request.study) ? { definition: request.study } : { study: request.study }),
    ...Object.fromEntries(Object.entries(request.sets).map(([k, v]) => [`set.${k}`, v])),
    // What the CDK CLI adds to every synth (metadata only; no resource depends on it).
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
  const app = createCurtainApp({ outdir: dir, autoSynth: false, context });
  const synthesized = await synthesizeAwsApp(app, request.log, TWIN_ACCOUNT);
  if (synthesized.errors.length > 0) throw new TwinArtifactError(synthesized.errors.join('; '));
  const [study, ...more] = synthesized.built;
  if (!study || more.length > 0) throw new TwinArtifactError('the AWS twin runs one study at a time');
  return { plan: study.prepared.plan, assemblyDir: dir, stackName: study.stack.stackName, tenantStackNames: study.tenantStacks.map((t) => t.stackName) };
}

/** The AWS twin always synthesizes a template and evaluates every call against its policies. */
export type AwsTwinResult = TemplateTwinResult;

export async function runAwsTwin(request: TwinRunRequest): Promise<AwsTwinResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-twin-aws-'));
  try {
    request.log('twin: synthesizing the AWS stack as `cdk synth` does');
    const synthesized = await synthesizeForTwin(request, path.join(scratch, 'cdk.out'));
    return await runTwinAssembly(synthesized, request, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Runs a synthesized cloud assembly (the tests give it deliberately broken ones). `scratch` is the caller's to remove. */
export async function runTwinAssembly(synthesized: SynthesizedTwin, request: TwinRunRequest, scratch: string): Promise<AwsTwinResult> {
  const began = performance.now();
  const { plan } = synthesized;
  const env = { account: TWIN_ACCOUNT, region: plan.region, partition: 'aws' };
  const primary = readTwinStack(synthesized.assemblyDir, synthesized.stackName, env);
  // Tenant stacks add their probes and roles; the bucket, the state machine and the template hash are the primary stack's.
  const tenants = (synthesized.tenantStackNames ?? []).map((name) => readTenantStack(synthesized.assemblyDir, name, env));
  const stack: TwinStack = { ...primary, functions: [...primary.functions, ...tenants.flatMap((t) => t.functions)], roles: [...primary.roles, ...tenants.flatMap((t) => t.roles)] };
  const calls = new CallLog(stack.roles, TWIN_ACCOUNT);
  const orchestrator = calls.identity('orchestrator', stack.stateMachine.roleArn);
  const probeKeys = new Map<string, string>();
  for (const fn of stack.functions) {
    const key = probeKeyOf(fn, plan.functions);
    if (key !== null) probeKeys.set(fn.name, key);
  }
  const identityOf = (fn: TwinStack['functions'][number]) => calls.identity(probeKeys.has(fn.name) ? 'probe' : fn.name.endsWith('-driver') ? 'driver' : fn.name, fn.roleArn);
  for (const fn of stack.functions) identityOf(fn);

  const profile = resolveProfile(request.profile, request.profileSet ?? {});
  const timeScale = new TimeScale(request.timeScale ?? defaultTimeScale(plan, profile).scale);
  const runtimes = lambdaRuntimeCommands();
  const missing = [...new Set(stack.functions.map((f) => f.runtime))].filter((r) => !runtimes[r]);
  if (missing.length > 0) throw new TwinArtifactError(`no command runs ${missing.join(', ')} functions on this machine (python3 on PATH)`);

  let s3: S3Twin | null = null;
  let api: LambdaApi | null = null;
  let platform: LocalPlatform | null = null;
  const processes = new ProcessFunctions(runtimes, path.join(scratch, 'functions'));
  const onExit = () => {
    platform?.killAllNow();
    processes.killAllNow();
  };
  process.once('exit', onExit);
  const run = request.run ?? newRunId();
  let executionFailure: string | null = null;
  const faults = new DeploymentFaults();
  try {
    s3 = await startS3Twin(path.join(scratch, 's3'), stack.bucket, calls);
    const endpoints = () => ({ lambda: api!.endpoint, s3: s3!.endpoint, region: plan.region });
    // The platform's functions start with the template's configuration; the Lambda API holds it from then on.
    const probeFunctions = plan.functions.filter((f) => [...probeKeys.values()].includes(f.key));
    const liveOf = (key: string) => [...api!.functions.values()].find((f) => probeKeys.get(f.spec.name) === key)!;
    api = await startLambdaApi(stack.functions, calls, {
      invoke: async (fn, payload) => {
        const outcome = await backend.invoke(fn, payload);
        faults.note(fn, outcome);
        return outcome;
      },
      reconfigured: (fn) => backend.reconfigured(fn),
    });
    platform = await LocalPlatform.start({
      profile,
      timeScale,
      faults: parseFaultOptions([], profile.faults),
      functions: probeFunctions.map((f) => {
        const live = liveOf(f.key);
        return { ...f, memoryMb: live.memoryMb, timeoutSeconds: live.timeoutSeconds, env: lambdaEnvironment(live, identityOf(live.spec), endpoints()) };
      }),
      runtimes,
      workDir: path.join(scratch, 'platform'),
      seed: request.seed ?? 2018,
    });
    const backend = lambdaBackend({ platform, processes, probeKeys, identityOf, endpoints });
    request.log(
      `twin: ${stack.functions.length} functions (${probeKeys.size} on the local platform, profile ${profile.name}, time scale ${timeScale.scale}x), ` +
        `s3rver ${s3.endpoint}, Lambda API ${api.endpoint}; starting run ${run}`,
    );
    const outcomes = await runStateMachine({
      definition: stack.stateMachine.definition,
      stateMachineArn: stack.stateMachine.arn,
      identity: orchestrator,
      calls,
      lambdaEndpoint: api.endpoint,
      region: plan.region,
      name: run,
      // As `curtain start` starts it: the run id and the hash of the template the stack was deployed from.
      input: { run, templateHash: stack.templateHash },
      log: request.log,
      signal: request.signal,
    });
    const failed = outcomes.find((o) => o.error !== null);
    if (failed?.error) executionFailure = `execution ${failed.name} failed: ${failed.error.name}: ${failed.error.cause}`;
  } finally {
    process.off('exit', onExit);
    await platform?.stop();
    await processes.stop();
    await api?.close();
  }

  try {
    let runDir: string | null = null;
    let fetchFailure: string | null = null;
    try {
      runDir = await fetchTwinRun(s3, stack, plan, run, request);
    } catch (error) {
      fetchFailure = `fetch: ${error instanceof Error ? error.message : String(error)}`;
    }
    const denied = calls.denied();
    const failures = [
      executionFailure,
      ...faults.list(),
      ...denied.map((c) => `denied: ${c.identity} ${c.action} on ${c.resource}`),
      fetchFailure,
    ].filter((f): f is string => f !== null);
    return await closeTemplateTwinRun(
      {
        target: 'aws',
        stack: stack.stackName,
        template: { file: stack.templateFile, copyAs: 'template.json', hash: stack.templateHash },
        run,
        runDir,
        planned: plan.invocations,
        stopFailure: executionFailure ?? fetchFailure,
        failures,
        identities: summarizeCalls(calls.calls, stack.roles, calls.identities()).identities,
        calls: calls.calls.map((c) => ({ identity: c.identity, action: c.action, resource: c.resource, allowed: c.decision === 'allowed' })),
        store: 'the results bucket',
        began,
      },
      request,
    );
  } finally {
    await s3?.close();
  }
}

/** `curtain fetch --provider aws --bucket <bucket> --endpoint <s3rver>` with the researcher's credentials; null when the run wrote nothing. */
async function fetchTwinRun(s3: S3Twin | null, stack: TwinStack, plan: StudyPlan, run: string, request: TwinRunRequest): Promise<string | null> {
  if (!s3) return null;
  const { researcher, endpoint } = s3;
  const client = createAwsProviderClient({
    cloudFormation: () => {
      throw new Error('the twin passes the bucket: no stack outputs to read');
    },
    sfn: () => {
      throw new Error('the twin starts executions itself');
    },
    s3: ({ region }) => new S3Client({ region: region ?? plan.region, endpoint, forcePathStyle: true, credentials: researcher }),
  });
  const listing = await new S3Client({ region: plan.region, endpoint, forcePathStyle: true, credentials: researcher }).send(
    new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `${plan.study.id}/${run}/` }),
  );
  if (!listing.Contents?.length) return null;
  const result = await client.fetch(
    { study: plan.study.id, run, out: path.resolve(request.outDir), bucket: stack.bucket, endpoint, region: plan.region },
    { err: request.log },
  );
  return result.dir;
}
