/**
 * The AWS target's `synthesize` (targets/provider-target.ts): the stacks of
 * plans exactly as `npx cdk synth` makes them (stacks/aws/build-app.ts), in
 * process, with cdk-nag's AwsSolutions findings as the policy findings.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { SynthesizeOptions, SynthesizedStacks } from '../../targets/provider-target';
import { addStudyStacks, bundleNeeds, createCurtainApp } from './build-app';
import { parseAwsAppContext } from './app-context';
import { nagFindings } from './nag';
import { prepareStudy } from './prepare-study';
import { awsBundles } from './runtime-bundles';

export function synthesizeAwsStacks(plans: readonly StudyPlan[], options: SynthesizeOptions): SynthesizedStacks {
  const prepared = plans.map((plan) => prepareStudy(plan));
  const app = createCurtainApp({ outdir: options.outdir });
  const built = addStudyStacks(app, prepared, awsBundles(options.bundles, bundleNeeds(prepared)), parseAwsAppContext({}));
  const constructs = built.flatMap((b) => [b.stack, ...b.tenantStacks]);
  // Schema validation costs seconds per process and is covered by the catalog synth test.
  const saved = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const assembly = app.synth();
    return {
      stacks: constructs.map((s) => ({ name: s.stackName, template: assembly.getStackByName(s.stackName).template as unknown })),
      findings: constructs.flatMap((s) => nagFindings(s).map((v) => `${s.stackName}: ${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)),
    };
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
}
