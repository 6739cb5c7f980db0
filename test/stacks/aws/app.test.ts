/**
 * The CDK app's options and refusals: validated -c values, one stack per
 * study, user-written definitions and --set style parameters; one-line
 * messages and exit codes from the real entry (stacks/aws/app.ts); and one
 * synthesis through the real CDK CLI (`npx cdk synth -c study=... --quiet`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG } from '../../../experiments/catalog';
import { ValidationError } from '../../../experiments/errors';
import { UnknownStudyError } from '../../../experiments/resolve-study';
import { parseAwsAppContext } from '../../../stacks/aws/app-context';
import { AppUsageError, buildAwsApp, createCurtainApp, planStudiesFromContext } from '../../../stacks/aws/build-app';
import { DeployRefusedError } from '../../../stacks/aws/prepare-study';
import { nagFindings } from '../../../stacks/aws/nag';
import { BundleError, loadAwsBundles } from '../../../stacks/aws/runtime-bundles';
import { mixedDefinition } from './definitions';
import { makeStandInBundles, REPO_ROOT, synthesizeApp, type StandInBundles } from './fixtures';

let bundles: StandInBundles;
let scratch: string;
beforeAll(() => {
  bundles = makeStandInBundles();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-aws-app-'));
});
afterAll(() => {
  bundles.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('-c options', () => {
  test('values from the command line are strings; they are validated and coerced', () => {
    const context = parseAwsAppContext({
      study: 'coldstart, lifetime',
      region: 'eu-west-1',
      budget: '2.5',
      tenantB: '222222222222',
      driverConcurrency: 'none',
      'set.concurrent': '3',
      'set.memoryMb': '128,256',
      '@aws-cdk/core:somethingElse': true,
    });
    expect(context).toMatchObject({ study: ['coldstart', 'lifetime'], region: 'eu-west-1', budget: 2.5, tenantB: '222222222222', driverConcurrency: null, bucketRemoval: 'retain' });
    expect(context.sets).toEqual({ concurrent: 3, memoryMb: [128, 256] });
    expect(parseAwsAppContext({ study: 'x', driverConcurrency: '4' }).driverConcurrency).toBe(4);
  });

  test.each([
    [{ region: 'mars-1' }, '-c region: expected an AWS region'],
    [{ budget: '-1' }, '-c budget: expected a positive amount of USD'],
    [{ tenantB: '12345' }, '-c tenantB: expected a 12-digit AWS account id'],
    [{ bucketRemoval: 'delete' }, '-c bucketRemoval'],
  ])('%j is refused naming the option', (context, message) => {
    expect(() => parseAwsAppContext(context)).toThrow(ValidationError);
    expect(() => parseAwsAppContext(context)).toThrow(message);
  });
});

describe('which studies', () => {
  test('no study: a usage message that lists every study', () => {
    let error: Error | undefined;
    try {
      planStudiesFromContext(parseAwsAppContext({}));
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(AppUsageError);
    for (const s of CATALOG) expect(error!.message).toContain(s.id);
    expect(error!.message).not.toContain('\n');
  });

  test('an unknown study suggests the closest names', () => {
    expect(() => planStudiesFromContext(parseAwsAppContext({ study: 'coldstrat' }))).toThrow(UnknownStudyError);
    expect(() => planStudiesFromContext(parseAwsAppContext({ study: 'coldstrat' }))).toThrow(/did you mean "coldstart"/);
  });

  test('-c study=a,b gives one stack per study; -c region and set.* reach the plans', () => {
    const app = createCurtainApp({ outdir: path.join(scratch, 'two') });
    const built = buildAwsApp(app, {
      context: parseAwsAppContext({ study: 'accounting,update-consistency', region: 'eu-west-1', 'set.rounds': '2', bundleRoot: bundles.root }),
      repoRoot: REPO_ROOT,
    });
    expect(built.map((b) => b.stack.stackName)).toEqual(['curtain-accounting', 'curtain-update-consistency']);
    expect(built.map((b) => b.stack.region)).toEqual(['eu-west-1', 'eu-west-1']);
    expect(built.every((b) => b.prepared.plan.region === 'eu-west-1')).toBe(true);
    expect(built.map((b) => b.prepared.plan.parameters.rounds)).toEqual([2, 2]);
  });

  test('-c bucketRemoval=destroy and -c driverConcurrency=none change exactly that, still nag clean', () => {
    const synth = synthesizeApp({ study: 'accounting', bucketRemoval: 'destroy', driverConcurrency: 'none' });
    try {
      const template = synth.template('curtain-accounting');
      const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
      expect(buckets).toHaveLength(2);
      for (const b of buckets) expect(b).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      // CDK's auto-delete custom resource empties the buckets before CloudFormation deletes them.
      expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
      const driver = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => String(f.Properties.FunctionName).endsWith('-driver'))!;
      expect(driver.Properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(nagFindings(synth.built[0]!.stack)).toEqual([]);
    } finally {
      synth.cleanup();
    }
  });

  test('-c definition=<file> deploys a study you wrote', () => {
    const file = path.join(scratch, 'mixed.json');
    writeFileSync(file, JSON.stringify(mixedDefinition()));
    const app = createCurtainApp({ outdir: path.join(scratch, 'def') });
    const [built] = buildAwsApp(app, { context: parseAwsAppContext({ definition: file, bundleRoot: bundles.root }), repoRoot: REPO_ROOT });
    expect(built!.stack.stackName).toBe('curtain-mixed');
    expect(built!.prepared.plan.functions.map((f) => f.runtime)).toContain('python');
  });

  test('-c budget below the estimate refuses to synthesize', () => {
    const app = createCurtainApp({ outdir: path.join(scratch, 'budget') });
    expect(() =>
      buildAwsApp(app, { context: parseAwsAppContext({ study: 'coldstart', budget: '0.0001', bundleRoot: bundles.root }), repoRoot: REPO_ROOT }),
    ).toThrow(DeployRefusedError);
    expect(app.node.children).toHaveLength(0);
  });
});

describe('bundles', () => {
  test('missing bundles: one line saying how to build them', () => {
    expect(() => loadAwsBundles(scratch, { nodejs: true, python: false })).toThrow(BundleError);
    expect(() => loadAwsBundles(scratch, { nodejs: true, python: false })).toThrow(/npm run build:runtime/);
  });

  test('a manifest that lists a bundle whose entry is gone is refused', () => {
    const broken = makeStandInBundles();
    try {
      rmSync(path.join(broken.root, 'dist/runtime/driver-aws/index.js'));
      expect(() => loadAwsBundles(broken.root, { nodejs: true, python: false })).toThrow(/bundle driver-aws: .*index\.js is missing/);
    } finally {
      broken.cleanup();
    }
  });
});

/** Runs the real app entry as the CDK CLI does (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR). */
function runEntry(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(scratch, 'out-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'stacks/aws/app.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ bundleRoot: bundles.root, ...context }), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

describe('the app entry (stacks/aws/app.ts)', () => {
  test.each([
    [{}, 1, /^curtain: no study given: .*Studies: isolation, placement/],
    [{ study: 'coldstrat' }, 1, /^curtain: unknown study "coldstrat"; did you mean "coldstart"/],
    [{ study: 'coldstart', budget: '0.0001' }, 2, /^curtain: study coldstart is over budget on aws: estimated cost \$[\d.]+ exceeds the budget of \$0\.0001; raise the limit with -c budget=<usd>/],
    [{ study: 'isolation', tenantB: '222222222222' }, 1, /^curtain: tenant b goes to account 222222222222, but the primary account is unknown/],
  ])('%j: exit %d with one line, no stack trace', (context, code, message) => {
    const { status, stderr } = runEntry(context);
    expect(status).toBe(code);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the real CDK CLI', () => {
  test('npx cdk synth -c study=accounting --quiet writes the stack\'s template', () => {
    const out = path.join(scratch, 'cdk.out');
    const result = spawnSync('npx', ['cdk', 'synth', '-c', 'study=accounting', '-c', `bundleRoot=${bundles.root}`, '--quiet', '--no-notices', '-o', out], {
      cwd: REPO_ROOT,
      // CloudFormation schema validation is covered in-process by catalog-synth.test.ts; here it would only add seconds.
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true', CDK_VALIDATION: 'false' },
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('curtain: accounting: 2 probes');
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(path.join(out, 'curtain-accounting.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(3);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);
  });
});
