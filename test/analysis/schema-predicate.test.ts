import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { compilePredicate, UnsupportedSchemaError } from '../../analysis/run/schema-predicate';
import { createRandom } from '../../analysis/stats/random';
import { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import { catalogPlan, SyntheticRun, taskResult } from './synthetic/synthetic-run';

const isRecord = compilePredicate(InvocationRecord);

/** Valid records of every shape the contract allows: each status, task values of each type, background reports. */
function validRecords(): InvocationRecord[] {
  const plan = catalogPlan('accounting', 'aws', { rounds: 2 });
  const run = new SyntheticRun(plan);
  const host = run.host({ hypervisorUuid: 'ec2a-uuid', dmiProductUuid: null });
  const bare = run.host({ bootTime: null, cgroupStyle: 'none', hostname: null, privateIp: null });
  const [start, collect] = [run.burst('start'), run.burst('collect')];
  const a = run.instance(host);
  const b = run.instance(bare, { generation: null, memoryMb: 2048 });
  const records = [
    run.record(start, 0, { instance: a, task: taskResult('background', { durationMs: 60_000, chunkMs: 5, note: 'text', flag: true, missing: null }) }),
    run.record(start, 1, { instance: b, task: taskResult('background', {}, false) }),
    run.record(collect, 0, { instance: a }),
    run.record(collect, 1, { status: 'throttled' }),
    run.record(run.burst('start', 1), 0, { status: 'timeout' }),
    run.record(run.burst('start', 1), 1, { status: 'skipped' }),
  ];
  run.backgroundProgress(a, 1234.5, true);
  records.push(run.record(run.burst('collect', 1), 0, { instance: a }));
  // Without the optional backgroundWork key at all (responses from before it was added).
  const withoutKey = JSON.parse(JSON.stringify(records[2]));
  delete withoutKey.response.backgroundWork;
  return [...records, withoutKey].map((r) => JSON.parse(JSON.stringify(r)));
}

const MUTATIONS: ((random: () => number) => unknown)[] = [
  () => undefined, // delete
  () => null,
  () => '',
  () => 'x',
  () => 'f'.repeat(64),
  () => 'g'.repeat(64),
  () => 0,
  () => -1,
  () => 1.5,
  () => 2 ** 60,
  () => JSON.parse('1e999'), // Infinity, as JSON.parse gives for a huge literal
  () => true,
  () => [],
  () => ['line'],
  () => [1],
  () => ({}),
  () => ({ extra: 1 }),
  () => 'ok',
  () => 'cpu-share',
  () => 'nodejs',
];

/** Every path to a value in the object (object keys, array indices), including the root's children. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

function mutate(record: unknown, path: (string | number)[], replacement: unknown, addKey: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(record));
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1]!;
  if (addKey && typeof parent === 'object' && !Array.isArray(parent)) parent.unexpectedKey = replacement ?? 1;
  else if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

describe('fast record predicate derived from the zod schema', () => {
  test('accepts every valid record, so the loader takes the fast path', () => {
    for (const r of validRecords()) {
      expect(InvocationRecord.safeParse(r).success).toBe(true);
      expect(isRecord(r)).toBe(true);
    }
  });

  test('never accepts what zod rejects, and what it accepts zod returns unchanged (5,000 mutated records)', () => {
    const random = createRandom(42);
    const records = validRecords();
    let bothReject = 0;
    let onlyZodAccepts = 0;
    for (let i = 0; i < 5000; i++) {
      const record = records[Math.floor(random() * records.length)]!;
      const all = paths(record);
      const path = all[Math.floor(random() * all.length)]!;
      const mutated = mutate(record, path, MUTATIONS[Math.floor(random() * MUTATIONS.length)]!(random), random() < 0.1);
      const zod = InvocationRecord.safeParse(mutated);
      if (isRecord(mutated)) {
        expect({ path, accepted: zod.success }).toEqual({ path, accepted: true });
        expect(isDeepStrictEqual(zod.data, mutated)).toBe(true);
      } else if (zod.success) onlyZodAccepts += 1;
      else bothReject += 1;
    }
    // Most mutations break the record; the predicate defers the rare valid ones it is unsure of to zod.
    expect(bothReject).toBeGreaterThan(2500);
    expect(onlyZodAccepts).toBe(0);
  });

  test('refuses schemas whose parse could change a value or that it cannot mirror exactly', () => {
    expect(() => compilePredicate(z.object({ a: z.string() }))).toThrow(UnsupportedSchemaError);
    expect(() => compilePredicate(z.strictObject({ a: z.string().default('x') }))).toThrow(/type "default"/);
    expect(() => compilePredicate(z.string().transform((s) => s.length))).toThrow(UnsupportedSchemaError);
    expect(() => compilePredicate(z.email())).toThrow(/string format "email"/);
    expect(() => compilePredicate(z.iso.datetime())).toThrow(/string format "datetime"/);
    expect(() => compilePredicate(z.coerce.number())).toThrow(/coercion/);
    expect(compilePredicate(z.int())(1.5)).toBe(false);
    expect(() => compilePredicate(z.strictObject({ n: z.number().multipleOf(2) }))).toThrow(/check "multiple_of"/);
    const ok = compilePredicate(z.strictObject({ n: z.number().int().min(1).max(3), s: z.string().regex(/^a+$/).optional() }));
    expect([ok({ n: 1 }), ok({ n: 3, s: 'aa' }), ok({ n: 4 }), ok({ n: 1.5 }), ok({ n: 1, s: 'b' }), ok({ n: 1, t: 1 })]).toEqual([true, true, false, false, false, false]);
  });
});
