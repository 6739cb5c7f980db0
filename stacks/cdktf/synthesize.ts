/**
 * `synthesize` of a CDK for Terraform target (targets/provider-target.ts):
 * the stacks of plans exactly as `npx cdktf synth` makes them, in process, with
 * the target's policy findings over each stack's Terraform JSON.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'cdktf';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { CdktfDeployment, SynthesizeOptions, SynthesizedStacks } from '../../targets/provider-target';

/** A policy over a stack's Terraform JSON: one line per finding, naming the resource and the rule. */
export type TerraformPolicy = (stack: TerraformJson) => string[];

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

export function synthesizeCdktfStacks(deployment: CdktfDeployment, plans: readonly StudyPlan[], options: SynthesizeOptions): SynthesizedStacks {
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stagingRoot = path.join(options.outdir, '.curtain-staging');
  const names = plans.map((plan) => {
    const name = deployment.stackName(plan.study.id);
    deployment.addStack(app, name, { plan, bundles: options.bundles, stagingRoot });
    return name;
  });
  app.synth();
  const stacks = names.map((name) => ({ name, template: JSON.parse(readFileSync(path.join(options.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as TerraformJson }));
  return { stacks, findings: stacks.flatMap((s) => deployment.checkPolicy(s.template).map((f) => `${s.name}: ${f}`)) };
}
