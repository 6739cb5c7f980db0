/**
 * The body of `npx cdktf synth` (stacks/cdktf-app.ts), shared with the Google
 * twin (twins/gcp/), which synthesizes a study exactly as the cdktf entry does
 * and then executes the Terraform JSON and assets it wrote: the selected
 * studies' stacks with their deployment origin, (re)built bundles unless a
 * bundle root is given, and each target's policy over each stack.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { deployOrigin } from '../deploy-origin';
import { buildCdktfApp, type BuiltApp } from './build-app';
import { type CdktfTarget, synthEnvironment, synthSets } from './select-plans';

export interface CdktfSynthOptions {
  /** The repository root whose dist/runtime holds the bundles. */
  readonly root: string;
  /** Where `cdktf.out` goes. */
  readonly outdir: string;
  /** The synthesis environment (stacks/cdktf/select-plans.ts). */
  readonly env: NodeJS.ProcessEnv;
  readonly targets: readonly CdktfTarget[];
  log(line: string): void;
}

export interface CdktfSynthesized {
  readonly built: BuiltApp;
  /** Policy findings, one line each naming the stack (empty = every stack may be deployed). */
  readonly findings: string[];
}

export async function synthesizeCdktfApp(options: CdktfSynthOptions): Promise<CdktfSynthesized> {
  const { root, outdir, targets } = options;
  const env = synthEnvironment(options.env, targets);
  // This checkout's bundles are (re)built when missing or stale; a given CURTAIN_BUNDLE_ROOT is deployed as it is.
  const bundleRoot = env.CURTAIN_BUNDLE_ROOT === undefined ? root : path.resolve(env.CURTAIN_BUNDLE_ROOT);
  if (env.CURTAIN_BUNDLE_ROOT === undefined) await ensureRuntimeBuilt({ root, log: (line) => options.log(`curtain: ${line}`) });
  const built = buildCdktfApp({
    outdir,
    env: options.env,
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
  built.app.synth();
  const findings = built.stacks.flatMap((s) =>
    s.target.deployment.checkPolicy(JSON.parse(readFileSync(path.join(outdir, 'stacks', s.stack, 'cdk.tf.json'), 'utf8'))).map((f) => `${s.stack}: ${f}`),
  );
  return { built, findings };
}
