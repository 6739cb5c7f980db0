/**
 * Builds the CDK for Terraform app: one stack per selected plan and CDK for
 * Terraform target of the registry (`gcp-<study>`, `azure-<study>`). Used by
 * the cdktf entry (stacks/cdktf-app.ts), the targets' `synthesize`, the tests
 * and the synthesis benchmark, so all of them synthesize the same thing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { App, type TerraformStack } from 'cdktf';
import { type BundleSet, loadBundleSet } from '../../probe-runtime/build/bundle-set';
import type { RunOrigin } from '../../probe-runtime/contracts/run-manifest';
import { type CdktfTarget, type SelectedPlan, selectPlans } from './select-plans';

export interface BuildAppOptions {
  /** Where `cdktf.out` goes. */
  outdir: string;
  env: NodeJS.ProcessEnv;
  /** The CDK for Terraform targets of the registry (targets/registry.ts: cdktfTargets()). */
  targets: readonly CdktfTarget[];
  /** Repository root holding dist/runtime (the bundles), unless `bundles` is given. */
  bundleRoot?: string;
  bundles?: BundleSet;
  /** Where function packages are staged; defaults to <outdir>/.curtain-staging (ignored like the output). */
  stagingRoot?: string;
  /** The origin each study's runs record (the cdktf entry gives it; tests leave it out). */
  originOf?: (selected: SelectedPlan) => RunOrigin;
}

export interface BuiltApp {
  app: App;
  stacks: (SelectedPlan & { construct: TerraformStack })[];
  skipped: string[];
}

export function buildCdktfApp(options: BuildAppOptions): BuiltApp {
  const selection = selectPlans(options.env, options.targets);
  const bundles = options.bundles ?? loadBundleSet(options.bundleRoot ?? process.cwd());
  const stagingRoot = options.stagingRoot ?? path.join(path.resolve(options.outdir), '.curtain-staging');
  mkdirSync(stagingRoot, { recursive: true });
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stacks = selection.plans.map((selected) => {
    const construct = selected.target.deployment.addStack(app, selected.stack, { plan: selected.plan, bundles, stagingRoot, origin: options.originOf?.(selected) }) as TerraformStack;
    return { ...selected, construct };
  });
  return { app, stacks, skipped: selection.skipped };
}
