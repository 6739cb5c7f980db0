/**
 * Entry of the AWS CDK app (cdk.json: `node --import tsx stacks/aws/app.ts`).
 *
 *   npx cdk synth  -c study=coldstart
 *   npx cdk deploy -c study=coldstart [-c region=eu-west-1] [-c budget=5]
 *
 * Options are listed in app-context.ts and docs/aws.md. Every expected problem
 * (no study, unknown study, invalid options, a plan over budget or over a
 * service limit, missing bundles) ends the app with one line on stderr and a
 * non-zero exit code, never a stack trace.
 */
import path from 'node:path';
import { InputFileError, PlanRefusedError, ValidationError } from '../../experiments/errors';
import { UnknownStudyError } from '../../experiments/resolve-study';
import { parseAwsAppContext } from './app-context';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { RuntimeBuildError } from '../../probe-runtime/build/build-runtime';
import { addStudyStacks, AppUsageError, awsDeployOrigin, bundleNeeds, createCurtainApp, prepareStudiesFromContext } from './build-app';
import { applyNagChecks } from './nag';
import { DeployRefusedError } from './prepare-study';
import { BundleError, loadAwsBundles } from './runtime-bundles';
import { TopologyError } from './study-topology';
import { templateSizeFindings, templateSizes } from './template-size';

const EXPECTED = [RuntimeBuildError, AppUsageError, DeployRefusedError, BundleError, TopologyError, ValidationError, PlanRefusedError, UnknownStudyError, InputFileError];

export async function runAwsApp(): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const app = createCurtainApp({ autoSynth: false });
    const context = parseAwsAppContext(app.node.getAllContext() as Record<string, unknown>);
    // Refusals first: a study that cannot be deployed should not wait for a bundle build.
    const prepared = prepareStudiesFromContext(context, process.env.CDK_DEFAULT_ACCOUNT);
    const root = context.bundleRoot ?? REPO_ROOT;
    // This checkout's bundles are (re)built when missing or stale; a given -c bundleRoot is deployed as it is.
    if (context.bundleRoot === undefined) await ensureRuntimeBuilt({ root, log: (line) => log(`curtain: ${line}`) });
    addStudyStacks(app, prepared, loadAwsBundles(root, bundleNeeds(prepared)), context, log, (plan) => awsDeployOrigin(context, plan));
    applyNagChecks(app);
    const { errors, notes } = templateSizeFindings(templateSizes(app.synth()));
    for (const note of notes) log(`curtain: note: ${note}`);
    if (errors.length > 0) {
      for (const error of errors) log(`curtain: ${error}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (EXPECTED.some((type) => error instanceof type)) {
      // Refused plans list their reasons on several lines; the app reports them on one.
      const message = (error as Error).message.replace(/\n\s*(- )?/g, '; ').replace(/:;/g, ':');
      process.stderr.write(`curtain: ${message}\n`);
      return error instanceof DeployRefusedError ? error.exitCode : 1;
    }
    throw error;
  }
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

if (require.main === module) {
  runAwsApp().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`curtain: internal error: ${error instanceof Error ? (process.env.CURTAIN_DEBUG ? error.stack : error.message) : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
