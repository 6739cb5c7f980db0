/**
 * Conformance of every synthesized AWS artifact with AWS's own references,
 * for every catalog study at its defaults and at the largest parameters the
 * AWS target accepts (test/conformance/support/largest.ts):
 *
 *   CloudFormation resource provider schemas   every resource (intrinsics accepted)
 *   CloudFormation / Lambda / IAM quotas       template, counts, environments, policies
 *   asl-validator + Step Functions quotas      every state machine, intrinsics resolved
 *   aws-local-stepfunctions                    every failure path reaches finish-run
 *   IAM policy simulator                       driver, probes and orchestrator roles
 *
 * A failure lists each finding as `artifact › field: message [reference]`.
 * References and their sources: test/conformance/references/README.md.
 */
import { CATALOG } from '../../experiments/catalog';
import { CLOUD_LIMITS } from '../../experiments/capabilities';
import { checkTemplateResources, loadSchemaLibrary } from './aws/cloudformation-schemas';
import { checkCloudFormationLimits } from './aws/cloudformation-limits';
import { checkStudyGrants } from './aws/iam';
import { checkFailurePaths, checkStateMachine, stateMachinesOf } from './aws/state-machines';
import { ENV, synthesizeAwsArtifacts, type AwsArtifacts } from './aws/synthesize';
import { CheckCounter, describeFindings, type Finding } from './support/findings';
import { recordingDriver } from '../targets/recording-driver';

let synth: AwsArtifacts;
const counter = new CheckCounter();

beforeAll(() => {
  synth = synthesizeAwsArtifacts();
}, 300_000);
afterAll(() => {
  synth?.cleanup();
  // The numbers of the note: artifacts checked per reference, and how many passed.
  process.stdout.write(`\nAWS conformance:\n${counter.summary()}\n`);
});

const variants = ['defaults', 'largest'] as const;
const artifactsOf = (variant: (typeof variants)[number]) => synth.artifacts.filter((a) => a.variant === variant);

describe.each(variants)('AWS artifacts at %s', (variant) => {
  test('every resource conforms to its CloudFormation resource provider schema', () => {
    const library = loadSchemaLibrary();
    const findings = artifactsOf(variant).flatMap((a) =>
      a.stacks.flatMap((s) => checkTemplateResources(s.name, { Resources: s.resources }, library, (reference, f) => counter.add(reference, f))),
    );
    expect(describeFindings(findings)).toEqual([]);
  });

  test('every template is within CloudFormation\'s, Lambda\'s and IAM\'s quotas, or the app refuses it at synth naming the limit', () => {
    const findings: Finding[] = [];
    for (const a of artifactsOf(variant)) {
      for (const s of a.stacks) {
        const own = checkCloudFormationLimits(s);
        counter.add('CloudFormation/Lambda/IAM quotas (experiments/capabilities.ts)', own);
        // Over the template limit is acceptable only if `cdk synth` refuses it with the limit, its value and its source.
        const refused = a.refusedAfterSynth !== null && a.refusedAfterSynth.includes(s.name) && a.refusedAfterSynth.includes(CLOUD_LIMITS.aws.templateBytes.source.url);
        findings.push(...own.filter((f) => !(refused && f.field === 'template')));
      }
    }
    expect(describeFindings(findings)).toEqual([]);
  });

  test('every state machine passes asl-validator and Step Functions\' quotas', () => {
    const findings = artifactsOf(variant).flatMap((a) =>
      a.stacks.flatMap((s) =>
        stateMachinesOf(s.name, s.resources, { ...ENV, account: s.account }).flatMap((m) => {
          const { asl, limits } = checkStateMachine(m);
          counter.add('asl-validator', asl);
          counter.add('Step Functions quotas (experiments/capabilities.ts)', limits);
          return [...asl, ...limits];
        }),
      ),
    );
    expect(describeFindings(findings)).toEqual([]);
  });

  test('IAM (policy simulator): the driver invokes exactly its probes and writes exactly its prefix; probes write only their logs; the orchestrator invokes the driver and reconfigures exactly the updated probes', async () => {
    const findings: Finding[] = [];
    for (const a of artifactsOf(variant)) {
      const { findings: own } = await checkStudyGrants(a.plan, a.stacks, ENV, { handsOver: (a.deployment.orchestration?.handOverAt.length ?? 0) > 0 });
      counter.add('IAM policy simulator (@cloud-copilot/iam-simulate)', own);
      findings.push(...own);
    }
    expect(describeFindings(findings)).toEqual([]);
  }, 120_000);
});

describe('failure paths (aws-local-stepfunctions, errors of every shape)', () => {
  // Every Task of the smaller machines; the larger ones repeat the same state groups per step.
  const MAX_TASKS = 24;
  test.each(CATALOG.map((s) => s.id))('%s at its defaults: every Task failing with every error shape still calls finish-run(failed)', async (id) => {
    const artifact = artifactsOf('defaults').find((a) => a.plan.study.id === id)!;
    const findings: Finding[] = [];
    for (const s of artifact.stacks) {
      for (const machine of stateMachinesOf(s.name, s.resources, { ...ENV, account: s.account })) {
        const { findings: own } = await checkFailurePaths(machine, MAX_TASKS, () => {
          const driver = recordingDriver(artifact.plan, artifact.deployment.orchestration, {}, artifact.deployment.targets);
          return (payload) => driver.handle(payload);
        });
        counter.add('aws-local-stepfunctions failure paths', own);
        findings.push(...own);
      }
    }
    expect(describeFindings(findings)).toEqual([]);
  }, 120_000);
});

test('the largest parameters: each study at every parameter\'s maximum is accepted, or refused in one line naming the limit (a cloud limit with its source and date)', () => {
  const problems: string[] = [];
  for (const [id, l] of synth.largest) {
    const refusal = l.maximum.refusal;
    if (refusal === null) continue;
    // The planner's own refusals (e.g. more than 20,000 steps) are Curtain's limits; every other refusal is a cloud limit and names its source.
    const plannerRefusal = refusal.startsWith(`aws cannot run study ${id}:`);
    if (!plannerRefusal && !/checked \d{4}-\d{2}-\d{2}/.test(refusal)) problems.push(`${id}: refusal without the limit's source and date: ${refusal.slice(0, 300)}`);
  }
  expect(problems).toEqual([]);
});
