/**
 * Issue 10's AWS defects, each checked against a reference (the policy
 * simulator, the Service Authorization Reference, CloudFormation's documented
 * template limit, the real CDK CLI) rather than against our own code:
 *
 *   1  no catalog study comes near CloudFormation's 1,000,000 bytes (the state machine walks the plan), as docs/aws.md says
 *   4  the probes' role cannot write the driver's log group
 *   8  the orchestrator reconfigures only the probes the plan updates; its "*" grants are wildcard-only actions
 *   10 `npx cdk synth` over budget exits as docs/aws.md says; the hint for a user file names the file
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLOUD_LIMITS } from '../../experiments/capabilities';
import { mixedDefinition } from '../stacks/aws/definitions';
import { makeStandInBundles, REPO_ROOT, synthesizeApp, type StandInBundles } from '../stacks/aws/fixtures';
import { expectDecisions, expectWildcardOnlyWhereRequired, logGroupOf, rolesOf } from './aws/iam';
import { createResolver } from '../../twins/aws/resolve-intrinsics';
import { describeFindings } from './support/findings';

const ENV = { region: 'us-east-1', partition: 'aws' };
const ACCOUNT = '111111111111';
const DOC = readFileSync(path.join(REPO_ROOT, 'docs/aws.md'), 'utf8');

let bundles: StandInBundles;
let scratch: string;
beforeAll(() => {
  bundles = makeStandInBundles();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-aws-defects-'));
});
afterAll(() => {
  bundles.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** The AWS app entry as the CDK CLI runs it (context in CDK_CONTEXT_JSON). */
function runEntry(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'stacks/aws/app.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ bundleRoot: bundles.root, ...context }), CDK_OUTDIR: mkdtempSync(path.join(scratch, 'out-')), CDK_VALIDATION: 'false' },
    encoding: 'utf8',
  });
}

describe('1: CloudFormation template size', () => {
  // docs/aws.md: "`lifetime` at `-c set.hours=H` (S steps) synthesizes a K KB template (...) and runs as E executions."
  // K is the template without the CLI's construct-path metadata (the app as built in process here).
  // The state machine walks the plan (issue 18), so no catalog study comes near the 1,000,000 bytes any more;
  // the refusal over the limit is tested on templates of given sizes (test/stacks/aws/template-size.test.ts).
  const claim = /`lifetime` at `-c set\.hours=(\d+)` \(([\d,]+) steps\) synthesizes a (\d+) KB template(?: \([^)]*\))? and runs as (\d+) executions/.exec(DOC.replace(/\s+/g, ' '));

  test('docs/aws.md states the lifetime figures this test checks', () => {
    expect(claim).not.toBeNull();
  });

  test('lifetime at the length in docs/aws.md synthesizes the template size and executions it states, far below 1,000,000 bytes', () => {
    const synth = synthesizeApp({ study: 'lifetime', 'set.hours': claim![1] }, { nag: false });
    try {
      const built = synth.built[0]!;
      expect(built.prepared.plan.steps.length.toLocaleString('en-US')).toBe(claim![2]);
      const bytes = statSync(path.join(synth.outdir, 'curtain-lifetime.template.json')).size;
      expect(Math.abs(bytes / 1024 - Number(claim![3]))).toBeLessThanOrEqual(1);
      expect(bytes).toBeLessThan(CLOUD_LIMITS.aws.templateBytes.value / 10);
      expect(built.prepared.usage.segmentation.segments).toHaveLength(Number(claim![4]));
    } finally {
      synth.cleanup();
    }
  });
});

describe('4 and 8: roles of coldstart and accounting in the policy simulator', () => {
  let roles: ReturnType<typeof rolesOf>;
  let driverLogGroup: string;
  beforeAll(() => {
    const synth = synthesizeApp({ study: 'coldstart,accounting' }, { defaultAccount: ACCOUNT, nag: false });
    try {
      roles = ['curtain-coldstart', 'curtain-accounting'].flatMap((name) => rolesOf({ name, account: ACCOUNT, resources: synth.json(name).Resources as never }, ENV));
      const resources = synth.json('curtain-coldstart').Resources as never as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      const driver = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.FunctionName).endsWith('-driver'))![0];
      driverLogGroup = logGroupOf(resources, driver, createResolver(resources, { ...ENV, account: ACCOUNT }));
    } finally {
      synth.cleanup();
    }
  });
  const role = (stack: string, service: string, not?: string) => roles.find((r) => r.stack === stack && r.assumedBy.includes(service) && (!not || !r.arn.includes(not)))!;

  test('4: coldstart (Node.js and Python probes): the probes\' role cannot write the driver\'s log group', async () => {
    const probes = role('curtain-coldstart', 'lambda.amazonaws.com', '-driver-');
    const stream = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${driverLogGroup}:log-stream:2026/12/06/[$LATEST]abc`;
    const findings = await expectDecisions(probes, [], ['logs:PutLogEvents', 'logs:CreateLogStream'].map((action) => ({ action, resource: stream, account: ACCOUNT })), 'probes');
    expect(describeFindings(findings)).toEqual([]);
  });

  test('8: accounting updates no function, so its orchestrator may reconfigure none', async () => {
    const orchestrator = role('curtain-accounting', 'states.amazonaws.com');
    const probe = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:curtain-accounting-node-m128-a-0`;
    const findings = await expectDecisions(orchestrator, [], ['lambda:UpdateFunctionConfiguration', 'lambda:GetFunctionConfiguration'].map((action) => ({ action, resource: probe, account: ACCOUNT })), 'orchestrator');
    expect(describeFindings(findings)).toEqual([]);
  });

  test('8: the orchestrator\'s Resource "*" grants are only actions the Service Authorization Reference lists without resource types (log delivery, X-Ray)', async () => {
    for (const stack of ['curtain-coldstart', 'curtain-accounting']) {
      expect(describeFindings(await expectWildcardOnlyWhereRequired(role(stack, 'states.amazonaws.com'), 'orchestrator'))).toEqual([]);
    }
  });
});

describe('10: exit codes and hints', () => {
  test('`npx cdk synth` of a study over budget exits with the code docs/aws.md gives', () => {
    const documented = /does not synthesize\*\*: `cdk synth`\/`cdk deploy` stop with one line naming the estimate and the limit, exit code (\d)/.exec(DOC.replace(/\s+/g, ' '));
    expect(documented).not.toBeNull();
    const result = spawnSync('npx', ['cdk', 'synth', '-c', 'study=coldstart', '-c', 'budget=0.0001', '-c', `bundleRoot=${bundles.root}`, '--quiet', '--no-notices', '-o', path.join(scratch, 'cdk.out')], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true', CDK_VALIDATION: 'false' },
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('curtain: study coldstart is over budget on aws');
    expect(result.status).toBe(Number(documented![1]));
  }, 120_000);

  test('the over-budget hint of a study you wrote names your file, which `curtain plan` accepts', () => {
    const file = path.join(scratch, 'mine.json');
    writeFileSync(file, JSON.stringify(mixedDefinition()));
    const result = runEntry({ definition: file, budget: '0.0001' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`npx curtain plan ${file} --provider aws`);
    expect(result.stderr).not.toContain('npx curtain plan mixed ');
  }, 120_000);
});
