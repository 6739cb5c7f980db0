/**
 * Entry of the AWS CDK app (cdk.json: `npx tsx stacks/aws/app.ts`).
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
import { AppUsageError, buildAwsApp, createCurtainApp } from './build-app';
import { applyNagChecks } from './nag';
import { DeployRefusedError } from './prepare-study';
import { BundleError } from './runtime-bundles';
import { TopologyError } from './study-topology';

const EXPECTED = [AppUsageError, DeployRefusedError, BundleError, TopologyError, ValidationError, PlanRefusedError, UnknownStudyError, InputFileError];

export function runAwsApp(): number {
  try {
    const app = createCurtainApp({ autoSynth: false });
    const context = parseAwsAppContext(app.node.getAllContext() as Record<string, unknown>);
    buildAwsApp(app, {
      context,
      repoRoot: path.resolve(__dirname, '..', '..'),
      defaultAccount: process.env.CDK_DEFAULT_ACCOUNT,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    applyNagChecks(app);
    app.synth();
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

if (require.main === module) process.exitCode = runAwsApp();
