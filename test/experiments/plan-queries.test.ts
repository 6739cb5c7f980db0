/** What every target derives from a plan (experiments/plan-queries.ts), against values worked out by hand. */
import { planStudy } from '../../experiments/plan';
import {
  changedVariables,
  configurationAfter,
  generationAfterStep,
  homeTenant,
  INITIAL_GENERATION,
  peakDemand,
  peakShards,
  planTenants,
  resolveUpdates,
  updatedFunctions,
} from '../../experiments/plan-queries';
import type { StudyDefinitionInput } from '../../experiments/schema';

function definition(): StudyDefinitionInput {
  return {
    id: 'queries',
    title: 'Plan queries',
    summary: 'Fixture.',
    paper: { experiment: 'E9', section: 'test' },
    providers: ['local'],
    functions: { memoryMb: [256], tenant: ['b', 'a'], copies: 1 },
    schedule: [
      // Two targets (b-0, a-0: the matrix's order), 5 requests each: request r goes to targets[r % 2].
      { kind: 'burst', requestsPerTarget: 5, concurrency: 4 },
      { kind: 'update', targets: { tenant: ['a'] }, change: { kind: 'env', name: 'CURTAIN_MARK', value: 'x' } },
      { kind: 'update', targets: { tenant: ['a'] }, change: { kind: 'memory', memoryMb: 512 } },
      { kind: 'update', targets: 'all', change: { kind: 'refresh' } },
      { kind: 'burst', requestsPerTarget: 150 },
    ],
    analysis: { kind: 'update-consistency' },
    budget: { maxInvocations: 10_000, maxUsd: 1 },
  };
}

const plan = planStudy(definition(), { provider: 'local' });
const a = plan.functions.find((f) => f.tenant === 'a')!;
const b = plan.functions.find((f) => f.tenant === 'b')!;

test('tenants are sorted and the primary tenant is home', () => {
  expect(planTenants(plan)).toEqual(['a', 'b']);
  expect(homeTenant(plan)).toBe('a');
  expect(homeTenant({ functions: [b] })).toBe('b');
});

test('updated functions in order of first update, with memory changes marked, and the variables updates change', () => {
  expect([...updatedFunctions(plan)]).toEqual([
    [a.key, { memory: true }],
    [b.key, { memory: false }],
  ]);
  expect(changedVariables(plan)).toEqual(['CURTAIN_GENERATION', 'CURTAIN_MARK']);
});

test('each update leaves its function with the whole configuration: earlier changes kept, the step\'s generation set', () => {
  const updates = resolveUpdates(plan);
  expect(updates.map((u) => [u.fn.key, u.step.generation])).toEqual([
    [a.key, generationAfterStep(1)],
    [a.key, generationAfterStep(2)],
    [b.key, generationAfterStep(3)],
    [a.key, generationAfterStep(4)],
  ]);
  expect(updates[0]!.before).toEqual({ env: a.env, memoryMb: 256 });
  expect(updates[2]!.after).toEqual({ env: { ...b.env, CURTAIN_GENERATION: 'g4' }, memoryMb: 256 });
  expect(updates[3]!.after).toEqual({ env: { ...a.env, CURTAIN_MARK: 'x', CURTAIN_GENERATION: 'g5' }, memoryMb: 512 });
  expect(a.env.CURTAIN_GENERATION).toBe(INITIAL_GENERATION);
  expect(generationAfterStep(0)).not.toBe(INITIAL_GENERATION);
  expect(configurationAfter({ env: { X: '1' }, memoryMb: 128 }, { change: { kind: 'refresh' }, generation: 'g9' })).toEqual({ env: { X: '1', CURTAIN_GENERATION: 'g9' }, memoryMb: 128 });
});

test('peak demand is the most requests addressed to a function at once, bounded by the concurrency; peak shards the widest burst', () => {
  // Burst 1: 10 requests, 5 per function, at most 4 in flight; burst 2: 300 requests, 150 each, all at once.
  expect(peakDemand(plan, a.key)).toBe(150);
  expect(peakDemand({ steps: plan.steps.slice(0, 1) }, a.key)).toBe(4);
  expect(peakDemand(plan, 'not-a-function')).toBe(1);
  const wide = plan.steps.find((s) => s.kind === 'burst' && s.requests === 300)!;
  expect(peakShards(plan)).toBe(wide.kind === 'burst' ? wide.shards : 0);
  expect(peakShards(plan)).toBe(3);
});

test('peak demand honours a per-function in-flight limit (concurrencyPerTarget) in every shard', () => {
  const limited = planStudy(
    { ...definition(), schedule: [{ kind: 'burst', requestsPerTarget: 150, concurrencyPerTarget: 20 }] },
    { provider: 'local' },
  );
  const step = limited.steps[0]!;
  expect(step.kind === 'burst' && step.shardTargetConcurrency).toBeTruthy();
  if (step.kind !== 'burst') return;
  // 150 requests addressed to each function, at most shardTargetConcurrency of them per shard.
  expect(peakDemand(limited, a.key)).toBe(Math.min(150, step.shardTargetConcurrency! * step.shards));
  expect(peakDemand(limited, a.key)).toBeLessThanOrEqual(20);
  expect(peakDemand(plan, a.key)).toBe(150);
});
