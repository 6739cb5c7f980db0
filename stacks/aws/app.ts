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
import { InputFileError, PlanRefusedError, ValidationError } from '../../experiments/errors';
import { UnknownStudyError } from '../../experiments/resolve-study';
import { RuntimeBuildError } from '../../probe-runtime/build/build-runtime';
import { AppUsageError, createCurtainApp } from './build-app';
import { DeployRefusedError } from './prepare-study';
import { BundleError } from './runtime-bundles';
import { TopologyError } from './study-topology';
import { synthesizeAwsApp } from './synth-app';

const EXPECTED = [RuntimeBuildError, AppUsageError, DeployRefusedError, BundleError, TopologyError, ValidationError, PlanRefusedError, UnknownStudyError, InputFileError];

export async function runAwsApp(): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const app = createCurtainApp({ autoSynth: false });
    const { errors, notes } = await synthesizeAwsApp(app, log, process.env.CDK_DEFAULT_ACCOUNT);
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
