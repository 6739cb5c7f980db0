/**
 * Builds the CDK for Terraform app: one stack per selected plan, `gcp-<study>`
 * and `azure-<study>`. Used by the cdktf entry (stacks/cdktf-app.ts), the
 * tests and the synthesis benchmark, so all three synthesize the same thing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { App, type TerraformStack } from 'cdktf';
import { AzureStudyStack } from '../azure/azure-study-stack';
import { GcpStudyStack } from '../gcp/gcp-study-stack';
import { compileWorkflow, WorkflowTooLargeError } from '../gcp/workflow/compile-workflow';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { loadRuntimeBundles, type RuntimeBundles } from './runtime-bundles';
import { type SelectedPlan, selectPlans, TargetRefusedError } from './select-plans';

export interface BuildAppOptions {
  /** Where `cdktf.out` goes. */
  outdir: string;
  env: NodeJS.ProcessEnv;
  /** Repository root holding dist/runtime (the bundles). */
  bundleRoot: string;
  /** Where function packages are staged; defaults to <outdir>/.curtain-staging (ignored like the output). */
  stagingRoot?: string;
  bundles?: RuntimeBundles;
  /** The origin each study's runs record (the cdktf entry gives it; tests leave it out). */
  originOf?: (selected: SelectedPlan) => RunOrigin;
}

export interface BuiltApp {
  app: App;
  stacks: (SelectedPlan & { construct: TerraformStack })[];
  skipped: string[];
}

/** Checks a target can deploy a plan before its stack is built. */
function vetPlan(provider: string, plan: Parameters<typeof compileWorkflow>[0]): void {
  if (provider !== 'gcp') return;
  try {
    compileWorkflow(plan);
  } catch (error) {
    if (error instanceof WorkflowTooLargeError) throw new TargetRefusedError(error.message);
    throw error;
  }
}

export function buildCdktfApp(options: BuildAppOptions): BuiltApp {
  const selection = selectPlans(options.env, vetPlan);
  const bundles = options.bundles ?? loadRuntimeBundles(options.bundleRoot);
  const stagingRoot = options.stagingRoot ?? path.join(path.resolve(options.outdir), '.curtain-staging');
  mkdirSync(stagingRoot, { recursive: true });
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stacks = selection.plans.map((selected) => {
    const props = { plan: selected.plan, bundles, stagingRoot, origin: options.originOf?.(selected) };
    const construct = selected.provider === 'gcp' ? new GcpStudyStack(app, selected.stack, props) : new AzureStudyStack(app, selected.stack, props);
    return { ...selected, construct };
  });
  return { app, stacks, skipped: selection.skipped };
}
