/**
 * `npm run bench synth-aws`: one study's AWS synthesis against an empty stack's,
 * measured in the same run. Target: the study ≤ 1.5× the empty stack.
 *
 * Measured as a user runs it: `npx cdk synth --quiet` (the real CDK CLI, which
 * starts the app in a fresh Node process) for
 *   empty   an app with one Stack holding one no-op resource (a template needs one)
 *   study   this repository's app with -c study=coldstart (14 probes, 80 steps,
 *           616 states): planning, limit checks, bundle check, constructs,
 *           cdk-nag, synthesis
 * Both apps run the same way (`node --import tsx <entry>`) with CDK's built-in
 * CloudFormation validation on (the default). They alternate after one warm-up
 * each, so machine load affects both alike, and medians are compared. The
 * verdict uses CPU time (all threads and child processes): synthesis is
 * CPU-bound, and on a shared machine wall time mostly measures the other
 * processes; wall time is printed too.
 *
 * Two more sections explain the ratio: the app processes alone (no CLI), with a
 * reference stack that has the study's resource types and nothing of Curtain;
 * and the in-process time of each part of the study's synthesis.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STUDY = 'coldstart';
const ROUNDS = 5;
const TARGET_RATIO = 1.5;
const root = path.resolve(__dirname, '..');
const self = path.relative(root, __filename);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Child mode: the empty-stack app (outdir from CDK_OUTDIR, as the CLI sets it). */
function emptyApp(): void {
  const { App, CfnResource, Stack } = require('aws-cdk-lib/core') as typeof import('aws-cdk-lib/core');
  const app = new App();
  new CfnResource(new Stack(app, 'Empty'), 'Nothing', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  app.synth();
}

/**
 * Child mode, a reference: the smallest hand-written stack with the resource types a
 * study deploys (bucket with its TLS policy, function, log group, role and policy,
 * state machine): what CDK alone costs for those types.
 */
function sameTypesApp(): void {
  const { App, Stack } = require('aws-cdk-lib/core') as typeof import('aws-cdk-lib/core');
  const { Bucket } = require('aws-cdk-lib/aws-s3') as typeof import('aws-cdk-lib/aws-s3');
  const { Code, Function: LambdaFunction, Runtime } = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const { LogGroup } = require('aws-cdk-lib/aws-logs') as typeof import('aws-cdk-lib/aws-logs');
  const { DefinitionBody, Pass, StateMachine } = require('aws-cdk-lib/aws-stepfunctions') as typeof import('aws-cdk-lib/aws-stepfunctions');
  const app = new App();
  const stack = new Stack(app, 'SameTypes');
  const bucket = new Bucket(stack, 'Bucket', { enforceSSL: true });
  const fn = new LambdaFunction(stack, 'Function', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => 1;'),
    logGroup: new LogGroup(stack, 'Logs'),
  });
  bucket.grantPut(fn);
  new StateMachine(stack, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Pass')) });
  app.synth();
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

type Kind = 'empty' | 'same-types' | 'study';

function appCommand(kind: Kind): string[] {
  if (kind === 'study') return ['node', '--import', 'tsx', 'stacks/aws/app.ts'];
  return ['node', '--import', 'tsx', self, kind === 'empty' ? '--empty-app' : '--same-types-app'];
}

/** Runs a command through `sh` and measures its wall time and the CPU time of it and all its descendants (the shell's `times`). */
function measure(command: string[], env: NodeJS.ProcessEnv): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync('/bin/sh', ['-c', 'command "$@"; status=$?; times >&2; exit $status', 'sh', ...command], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  // `times` prints the shell's and its children's user and system times: "0m0.001s 0m0.002s\n0m4.5s 0m0.4s".
  const lines = result.stderr.trim().split('\n');
  const children = lines[lines.length - 1]!.trim().split(/\s+/).map(parseShellTime);
  return { wallMs, cpuMs: children.reduce((a, b) => a + b, 0) };
}

function parseShellTime(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  if (!m) throw new Error(`unexpected \`times\` output: ${text}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1000;
}

function viaCli(kind: 'empty' | 'study', outdir: string): Sample {
  const args = ['npx', 'cdk', 'synth', '--quiet', '--no-notices', '-o', outdir];
  if (kind === 'study') args.push('-c', `study=${STUDY}`);
  else args.push('--app', appCommand('empty').join(' '));
  return measure(args, { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' });
}

function appOnly(kind: Kind, outdir: string): Sample {
  return measure(appCommand(kind), { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(kind === 'study' ? { study: STUDY } : {}) });
}

const stat = (xs: Sample[], k: keyof Sample) => ({ median: median(xs.map((x) => x[k])), min: Math.min(...xs.map((x) => x[k])) });
const fmt = (xs: Sample[]) => `CPU median ${stat(xs, 'cpuMs').median.toFixed(0)} ms (min ${stat(xs, 'cpuMs').min.toFixed(0)}), wall median ${stat(xs, 'wallMs').median.toFixed(0)} ms`;

function timed(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const { ensureRuntimeBuilt } = await import('../probe-runtime/build/ensure-runtime-built');
  await ensureRuntimeBuilt({ root, log: (line) => console.log(line) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-bench-synth-aws-'));
  const outdir = (name: string) => path.join(work, name);
  try {
    console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    // 1. The target: npx cdk synth, empty stack vs the study.
    viaCli('empty', outdir('warm-cli-empty'));
    viaCli('study', outdir('warm-cli-study'));
    const cliEmpty: Sample[] = [];
    const cliStudy: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      cliEmpty.push(viaCli('empty', outdir(`cli-empty-${i}`)));
      cliStudy.push(viaCli('study', outdir(`cli-study-${i}`)));
    }
    const ratio = stat(cliStudy, 'cpuMs').median / stat(cliEmpty, 'cpuMs').median;
    const wallRatio = stat(cliStudy, 'wallMs').median / stat(cliEmpty, 'wallMs').median;
    console.log(`npx cdk synth, empty stack (baseline): ${fmt(cliEmpty)}, ${ROUNDS} runs`);
    console.log(`npx cdk synth -c study=${STUDY}:        ${fmt(cliStudy)}, ${ROUNDS} runs`);
    console.log(`ratio: CPU ${ratio.toFixed(2)}×, wall ${wallRatio.toFixed(2)}×; target ≤ ${TARGET_RATIO}× (CPU): ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`);

    // 2. The app processes alone, and a reference stack with the same resource types.
    const apps: Record<Kind, Sample[]> = { empty: [], 'same-types': [], study: [] };
    for (let i = 0; i < ROUNDS; i++) for (const kind of Object.keys(apps) as Kind[]) apps[kind].push(appOnly(kind, outdir(`app-${kind}-${i}`)));
    const cpu = (k: Kind) => stat(apps[k], 'cpuMs').median;
    console.log(`app process only: empty ${cpu('empty').toFixed(0)} ms CPU, same resource types without Curtain ${cpu('same-types').toFixed(0)} ms (${(cpu('same-types') / cpu('empty')).toFixed(2)}×), ${STUDY} ${cpu('study').toFixed(0)} ms (${(cpu('study') / cpu('empty')).toFixed(2)}×; ${(cpu('study') / cpu('same-types')).toFixed(2)}× the same-types stack)`);

    // 3. Where the study's time goes, in this process.
    const { App, CfnResource, Stack } = await import('aws-cdk-lib/core');
    const { parseAwsAppContext } = await import('../stacks/aws/app-context');
    const { buildAwsApp, createCurtainApp } = await import('../stacks/aws/build-app');
    const { applyNagChecks } = await import('../stacks/aws/nag');
    const firstEmpty = timed(() => {
      const app = new App({ outdir: outdir('in-empty') });
      new CfnResource(new Stack(app, 'Empty'), 'Nothing', { type: 'AWS::CloudFormation::WaitConditionHandle' });
      app.synth();
    });
    const parts = { build: 0, synth: 0 };
    for (let i = 0; i < 3; i++) {
      const app = createCurtainApp({ outdir: outdir(`in-study-${i}`) });
      parts.build = timed(() => {
        buildAwsApp(app, { context: parseAwsAppContext({ study: STUDY }), repoRoot: root });
        applyNagChecks(app);
      });
      parts.synth = timed(() => app.synth());
    }
    console.log(
      `in-process: the first synthesis of anything pays CDK's CloudFormation validator start-up (${firstEmpty.toFixed(0)} ms for the empty stack); ` +
        `then ${STUDY}: planning, checks and constructs ${parts.build.toFixed(0)} ms, synthesis with cdk-nag and validation ${parts.synth.toFixed(0)} ms`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--empty-app') emptyApp();
else if (process.argv[2] === '--same-types-app') sameTypesApp();
else void main();
