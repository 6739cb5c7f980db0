/**
 * Entry of the CDK for Terraform app (cdktf.json: `npx tsx stacks/cdktf-app.ts`):
 * the stacks of the registry's CDK for Terraform targets (targets/registry.ts).
 *
 *   CURTAIN_STUDY=coldstart npx cdktf synth     → cdktf.out/stacks/gcp-coldstart, azure-coldstart
 *   npx cdktf synth                             → every catalog study, every such target
 *
 * See stacks/cdktf/select-plans.ts for the other environment variables. A study
 * a provider cannot run is skipped with one line naming the reason; naming it
 * explicitly makes that an error. Every stack must pass its target's policy
 * (as cdk-nag on AWS): a finding fails the synthesis. Errors print one
 * message, never a stack trace.
 *
 * Progress and notes go to stdout, errors to stderr: cdktf shows the app's
 * stdout as it is and labels every stderr line `[ERROR]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PlanRefusedError, ValidationError } from '../experiments/errors';
import { UnknownStudyError } from '../experiments/resolve-study';
import { BundleError } from '../probe-runtime/build/bundle-set';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { cdktfTargets } from '../targets/registry';
import { buildCdktfApp } from './cdktf/build-app';
import { SynthSelectionError, synthEnvironment, synthSets } from './cdktf/select-plans';
import { deployOrigin } from './deploy-origin';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..');
  const started = Date.now();
  try {
    const targets = cdktfTargets();
    const env = synthEnvironment(process.env, targets);
    // This checkout's bundles are (re)built when missing or stale; a given CURTAIN_BUNDLE_ROOT is deployed as it is.
    const bundleRoot = env.CURTAIN_BUNDLE_ROOT === undefined ? root : path.resolve(env.CURTAIN_BUNDLE_ROOT);
    if (env.CURTAIN_BUNDLE_ROOT === undefined) await ensureRuntimeBuilt({ root, log: (line) => console.log(`curtain: ${line}`) });
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(root, 'cdktf.out');
    const built = buildCdktfApp({
      outdir,
      env: process.env,
      targets,
      bundleRoot,
      originOf: ({ plan }) =>
        deployOrigin(plan, {
          definition: env.CURTAIN_DEFINITION,
          sets: synthSets(env),
          maxUsd: env.CURTAIN_MAX_USD,
          // Tenant b's project or subscription is a Terraform variable: synthesis cannot know whether it differs.
          secondTenantAccount: null,
          bundleRoot: env.CURTAIN_BUNDLE_ROOT,
        }),
    });
    for (const line of built.skipped) console.log(`curtain: ${line}`);
    built.app.synth();
    const findings = built.stacks.flatMap((s) =>
      s.target.deployment.checkPolicy(JSON.parse(readFileSync(path.join(outdir, 'stacks', s.stack, 'cdk.tf.json'), 'utf8'))).map((f) => `${s.stack}: ${f}`),
    );
    if (findings.length > 0) {
      for (const finding of findings) console.error(`curtain: policy: ${finding}`);
      console.error(`curtain: ${findings.length} policy finding(s): the synthesized stacks must not be deployed`);
      return 1;
    }
    const names = built.stacks.map((s) => s.stack).join(', ') || '(none)';
    console.log(`curtain: synthesized ${built.stacks.length} stack(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${names}`);
    return 0;
  } catch (error) {
    const expected = [ValidationError, PlanRefusedError, UnknownStudyError, SynthSelectionError, BundleError].some((E) => error instanceof E);
    const message = error instanceof Error ? error.message : String(error);
    console.error(expected ? message.replace(/^(curtain: )?/, 'curtain: ') : `curtain: synthesis failed: ${message}`);
    if (!expected && process.env.CURTAIN_DEBUG && error instanceof Error) console.error(error.stack);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
