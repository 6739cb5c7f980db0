/**
 * `npm run bench synth-aws`: one study's AWS synthesis against an empty stack's,
 * measured in the same run. Target: the study ≤ 1.5× the empty stack.
 *
 * Both are measured the way `npx cdk synth` runs an app: a fresh Node process
 * (tsx) that loads aws-cdk-lib, builds the app and synthesizes it into a cloud
 * assembly, with CDK's built-in CloudFormation validation on.
 *   empty   an App with one Stack holding one no-op resource (a template needs one)
 *   study   stacks/aws/app.ts with -c study=coldstart (14 probes, 80 steps, 616 states):
 *           planning, the limit checks, bundle check, every construct, cdk-nag, synthesis
 * The processes alternate (empty, study, empty, ...) after one warm-up each, so
 * machine load affects both alike; medians are compared. A second section
 * times the same work in-process, module loading excluded, to show where the
 * time goes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STUDY = 'coldstart';
const ROUNDS = 7;
const TARGET_RATIO = 1.5;
const root = path.resolve(__dirname, '..');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Child mode: the empty-stack app, as an app entry the CLI would run. */
function emptyApp(outdir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App, CfnResource, Stack } = require('aws-cdk-lib/core') as typeof import('aws-cdk-lib/core');
  const app = new App({ outdir });
  new CfnResource(new Stack(app, 'Empty'), 'Nothing', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  app.synth();
}

function runProcess(kind: 'empty' | 'study', outdir: string): number {
  const args = kind === 'empty' ? ['--import', 'tsx', __filename, '--empty-app', outdir] : ['--import', 'tsx', path.join(root, 'stacks/aws/app.ts')];
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(kind === 'study' ? { study: STUDY } : {}) },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${kind} synth failed (${result.status}): ${result.stderr}`);
  return ms;
}

function timed(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const { ensureRuntimeBuilt } = await import('../probe-runtime/build/ensure-runtime-built');
  await ensureRuntimeBuilt({ root, log: (line) => console.log(line) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-bench-synth-aws-'));
  try {
    const outdir = (name: string) => path.join(work, name);
    runProcess('empty', outdir('warm-empty'));
    runProcess('study', outdir('warm-study'));
    const empty: number[] = [];
    const study: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      empty.push(runProcess('empty', outdir(`empty-${i}`)));
      study.push(runProcess('study', outdir(`study-${i}`)));
    }
    const ratio = median(study) / median(empty);
    console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    console.log(`empty stack synth (baseline), fresh process: median ${median(empty).toFixed(0)} ms (min ${Math.min(...empty).toFixed(0)}, ${ROUNDS} runs)`);
    console.log(`${STUDY} synth (stacks/aws/app.ts), fresh process: median ${median(study).toFixed(0)} ms (min ${Math.min(...study).toFixed(0)}, ${ROUNDS} runs)`);
    console.log(`ratio (medians): ${ratio.toFixed(2)}× (min/min ${(Math.min(...study) / Math.min(...empty)).toFixed(2)}×); target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`);

    // Where the time goes, in this process (modules already loaded after the first call).
    const { App, CfnResource, Stack } = await import('aws-cdk-lib/core');
    const { parseAwsAppContext } = await import('../stacks/aws/app-context');
    const { buildAwsApp, createCurtainApp } = await import('../stacks/aws/build-app');
    const { applyNagChecks } = await import('../stacks/aws/nag');
    const inEmpty = () =>
      timed(() => {
        const app = new App({ outdir: outdir(`in-empty-${Math.random()}`) });
        new CfnResource(new Stack(app, 'Empty'), 'Nothing', { type: 'AWS::CloudFormation::WaitConditionHandle' });
        app.synth();
      });
    const phases = { build: 0, synth: 0 };
    const inStudy = () =>
      timed(() => {
        const app = createCurtainApp({ outdir: outdir(`in-study-${Math.random()}`) });
        phases.build = timed(() => {
          buildAwsApp(app, { context: parseAwsAppContext({ study: STUDY }), repoRoot: root });
          applyNagChecks(app);
        });
        phases.synth = timed(() => app.synth());
      });
    const firstEmpty = inEmpty();
    inStudy();
    const warmEmpty = median([inEmpty(), inEmpty(), inEmpty()]);
    const warmStudy = median([inStudy(), inStudy(), inStudy()]);
    console.log(
      `in-process: first synth of the empty stack ${firstEmpty.toFixed(0)} ms (CDK's validation engine starting); afterwards empty ${warmEmpty.toFixed(0)} ms, ` +
        `${STUDY} ${warmStudy.toFixed(0)} ms (build + nag ${phases.build.toFixed(0)} ms, synth ${phases.synth.toFixed(0)} ms)`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--empty-app') emptyApp(process.argv[3]!);
else void main();
