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

test('the synth log says how each run is split into executions; no definition is close to its limit', () => {
  expect(synth.log.filter((l) => l.includes('close to a Step Functions limit'))).toEqual([]);
  expect(synth.log.find((l) => l.startsWith('curtain: lifetime:'))).toMatch(/, 2 executions of at most \d+ steps \([\d,]+ events\); nearest limit: /);
  expect(synth.log.find((l) => l.startsWith('curtain: accounting:'))).toMatch(/, 1 execution \(15 steps, at most [\d,]+ events\)/);
});

test('only an orchestrator whose runs take several executions may start executions, and only of its own state machine', () => {
  const startGrants = (id: string) =>
    Object.values(synth.json(`curtain-${id}`).Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
      .filter((st) => [st.Action].flat().includes('states:StartExecution'));
  const lifetime = synth.built.find((b) => b.prepared.plan.study.id === 'lifetime')!;
  expect(lifetime.prepared.usage.segmentation.segments.length).toBe(2);
  const grants = startGrants('lifetime');
  expect(grants).toHaveLength(1);
  expect(JSON.stringify(grants[0]!.Resource)).toContain(':stateMachine:curtain-lifetime');
  expect(JSON.stringify(grants[0]!.Resource)).not.toContain('*');
  for (const id of ids.filter((i) => i !== 'lifetime')) expect(startGrants(id)).toEqual([]);
});
