/**
 * The body of `npx cdk synth` for the AWS app (stacks/aws/app.ts), shared with
 * the AWS twin (twins/aws/), which synthesizes a study exactly as the CDK
 * entry does and then executes the cloud assembly it wrote: the study's stacks
 * with their deployment origin, cdk-nag's checks, and the template-size check.
 */
import path from 'node:path';
import type { App } from 'aws-cdk-lib/core';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { parseAwsAppContext } from './app-context';
import { addStudyStacks, awsDeployOrigin, bundleNeeds, prepareStudiesFromContext, type BuiltStudy } from './build-app';
import { applyNagChecks } from './nag';
import { loadAwsBundles } from './runtime-bundles';
import { templateSizeFindings, templateSizes } from './template-size';

export interface SynthesizedAwsApp {
  assembly: CloudAssembly;
  built: BuiltStudy[];
  /** Templates too large to deploy (the app refuses them). */
  errors: string[];
  notes: string[];
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Reads the app's `-c` context, adds the studies' stacks and synthesizes them into the app's outdir. */
export async function synthesizeAwsApp(app: App, log: (line: string) => void, defaultAccount?: string): Promise<SynthesizedAwsApp> {
  const context = parseAwsAppContext(app.node.getAllContext() as Record<string, unknown>);
  // Refusals first: a study that cannot be deployed should not wait for a bundle build.
  const prepared = prepareStudiesFromContext(context, defaultAccount);
  const root = context.bundleRoot ?? REPO_ROOT;
  // This checkout's bundles are (re)built when missing or stale; a given -c bundleRoot is deployed as it is.
  if (context.bundleRoot === undefined) await ensureRuntimeBuilt({ root, log: (line) => log(`curtain: ${line}`) });
  const built = addStudyStacks(app, prepared, loadAwsBundles(root, bundleNeeds(prepared)), context, log, (plan) => awsDeployOrigin(context, plan));
  applyNagChecks(app);
  const assembly = app.synth();
  return { assembly, built, ...templateSizeFindings(templateSizes(assembly)) };
}
