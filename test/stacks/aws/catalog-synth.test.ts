/**
 * Every catalog study synthesizes on AWS at its default parameters, in one app
 * (one synthesis for all: the suite stays fast), with cdk-nag's AwsSolutions
 * checks and CDK's CloudFormation schema validation both on: either fails the
 * synthesis on a finding. The real CLI is exercised in app.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOG } from '../../../experiments/catalog';
import { nagFindings } from '../../../stacks/aws/nag';
import { synthesizeApp, type SynthesizedApp } from './fixtures';

const ids = CATALOG.map((s) => s.id);
let synth: SynthesizedApp;

beforeAll(() => {
  synth = synthesizeApp({ study: ids.join(',') }, { cfnValidation: true });
});
afterAll(() => synth.cleanup());

test.each(ids)('%s: a stack with its probes, driver and state machine, nag clean', (id) => {
  const built = synth.built.find((b) => b.prepared.plan.study.id === id)!;
  const template = synth.template(`curtain-${id}`);
  const local = built.prepared.plan.functions.filter((f) => f.tenant === 'a').length;
  template.resourceCountIs('AWS::Lambda::Function', local + 1);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  template.resourceCountIs('AWS::S3::Bucket', 2);
  expect(nagFindings(built.stack)).toEqual([]);
  for (const tenant of built.tenantStacks) expect(nagFindings(tenant)).toEqual([]);
});

test('CDK\'s CloudFormation validation reports nothing for any template', () => {
  // CDK writes this report on every synthesis with validation on (an empty stack, for one, gets a violation in it).
  const file = path.join(synth.outdir, 'validation-report.json');
  expect(existsSync(file)).toBe(true);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };
  expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${JSON.stringify(v).slice(0, 300)}`))).toEqual([]);
});

test('the studies close to a Step Functions limit are named at synth', () => {
  const notes = synth.log.filter((l) => l.includes('close to a Step Functions limit'));
  expect(notes.map((l) => /^curtain: note: (\S+) /.exec(l)?.[1])).toEqual(['placement', 'lifetime', 'lifetime']);
});
