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
import path from 'node:path';
import { PlanRefusedError, ValidationError } from '../experiments/errors';
import { UnknownStudyError } from '../experiments/resolve-study';
import { BundleError } from '../probe-runtime/build/bundle-set';
import { cdktfTargets } from '../targets/registry';
import { SynthSelectionError } from './cdktf/select-plans';
import { synthesizeCdktfApp } from './cdktf/synth-app';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..');
  const started = Date.now();
  try {
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(root, 'cdktf.out');
    const { built, findings } = await synthesizeCdktfApp({ root, outdir, env: process.env, targets: cdktfTargets(), log: (line) => console.log(line) });
    for (const line of built.skipped) console.log(`curtain: ${line}`);
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
