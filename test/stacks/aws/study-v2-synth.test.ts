/**
 * Study language v2 on AWS through the real synthesis path (buildAwsApp with nag and CDK's
 * CloudFormation validation, as the catalog synth test): a payload sweep and an arm64/x86_64
 * comparison, both the worked examples of docs/examples, plan, price and synthesize; the
 * template deploys what the plan says (architectures; the padded bursts as the driver describes them to the walking state machine).
 */
import path from 'node:path';
import { DRIVER_EVENT_VERSION } from '../../../probe-runtime/contracts/driver-event';
import { describeStep } from '../../../probe-runtime/driver/describe-step';
import { nagFindings } from '../../../stacks/aws/nag';
import { TRACE_RUN as RUN } from '../../targets/orchestrator-trace';
import { REPO_ROOT, synthesizeApp, type SynthesizedApp } from './fixtures';

const example = (name: string) => path.join(REPO_ROOT, 'docs/examples', name);

describe('payload sweep (docs/examples/payload-sweep.ts)', () => {
  let synth: SynthesizedApp;
  beforeAll(() => {
    synth = synthesizeApp({ definition: example('payload-sweep.ts'), 'set.sizesKb': '1,256,4096' }, { cfnValidation: true });
  });
  afterAll(() => synth?.cleanup());

  test('plans and prices each size as a padded burst, within Lambda\'s 6 MB payload limit', () => {
    const plan = synth.built[0]!.prepared.plan;
    expect(plan.parameters).toEqual({ sizesKb: [1, 256, 4096], requests: 20 });
    const sized = plan.steps.filter((s) => s.kind === 'burst' && s.requestBytes !== undefined);
    expect(sized.map((s) => s.kind === 'burst' && [s.label, s.requestBytes, s.responseBytes])).toEqual([
      ['payload-1k', 1024, 1024],
      ['payload-256k', 262_144, 262_144],
      ['payload-4096k', 4_194_304, 4_194_304],
    ]);
    expect(plan.cost.usd).toBeGreaterThan(0);
    expect(plan.budget.verdict).toBe('within');
  });

  test('synthesizes, nag clean; the walking state machine is handed each padded burst by describe-step, as planned', () => {
    const built = synth.built[0]!;
    expect(nagFindings(built.stack)).toEqual([]);
    const plan = built.prepared.plan;
    const template = synth.json('curtain-payload-sweep');
    const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    // The state machine walks the plan (issue 18): it holds no step, so no size; the driver describes each step.
    expect(machine.Properties!.DefinitionString as string).not.toContain('requestBytes');
    const deployment = { v: 1 as const, provider: plan.provider, region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, `curtain-${f.name}`])) };
    const sent = plan.steps
      .map((step) => describeStep({ v: DRIVER_EVENT_VERSION, action: 'describe-step', study: plan.study.id, run: RUN, planHash: plan.hash, index: step.index }, plan, deployment, '2026-12-06T00:00:00.000Z'))
      .flatMap((d) => (d.kind === 'burst' && d.step.requestBytes !== undefined ? [[d.step.requestBytes, d.step.responseBytes]] : []));
    expect(sent).toEqual([
      [1024, 1024],
      [262_144, 262_144],
      [4_194_304, 4_194_304],
    ]);
  });
});

describe('arm64 vs x86_64 (docs/examples/arm-vs-x86.json)', () => {
  let synth: SynthesizedApp;
  beforeAll(() => {
    synth = synthesizeApp({ definition: example('arm-vs-x86.json') }, { cfnValidation: true });
  });
  afterAll(() => synth?.cleanup());

  test('plans one function per architecture and memory, arm64 GB-seconds priced at the arm64 rate', () => {
    const plan = synth.built[0]!.prepared.plan;
    expect(plan.functions.map((f) => `${f.key} ${f.architecture}`)).toEqual([
      'node-m512-a-0 x86_64',
      'node-m1024-a-0 x86_64',
      'node-arm64-m512-a-0 arm64',
      'node-arm64-m1024-a-0 arm64',
    ]);
    expect(plan.cost.units.probeGbSecondsArm64).toBeGreaterThan(0);
    expect(plan.cost.units.probeGbSecondsArm64).toBeLessThan(plan.cost.units.probeGbSeconds!);
  });

  test('synthesizes each probe with its architecture, nag clean', () => {
    const built = synth.built[0]!;
    expect(nagFindings(built.stack)).toEqual([]);
    const template = synth.json('curtain-arm-vs-x86');
    const probes = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && String(JSON.stringify(r.Properties?.Description ?? '')).includes('Curtain probe'),
    );
    const byArch = probes.map((r) => `${JSON.stringify(r.Properties!.Architectures)} ${r.Properties!.MemorySize}`).sort();
    expect(byArch).toEqual(['["arm64"] 1024', '["arm64"] 512', '["x86_64"] 1024', '["x86_64"] 512']);
  });
});
