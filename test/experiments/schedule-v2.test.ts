/**
 * The planner's side of study language v2: open-loop arrivals compiled to bounded burst steps
 * with send offsets and anchored chunk starts, waits anchored to the run's start, payload sizes,
 * per-function concurrency, and the architecture and timeout dimensions, each checked against
 * what the plan must contain, and the refusals each can cause.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { arrivalTimesMs, compileArrival } from '../../experiments/arrivals/compile-arrivals';
import { Arrival, PoissonArrival, TraceArrival } from '../../experiments/arrivals/arrival-schema';
import { parseAzureFunctionsTrace, selectTraceRow } from '../../experiments/arrivals/azure-functions-trace';
import { PlanRefusedError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import { type BurstStep, burstSendSpanMs, type StudyPlan, type WaitStep } from '../../experiments/plan-schema';
import { plannedStepSeconds } from '../../experiments/planned-duration';
import { RepeatItem, type StudyDefinitionInput } from '../../experiments/schema';
import { burstShardBoundSeconds, driverTimeoutProblems, driverTimeoutSeconds } from '../../stacks/aws/asl/orchestration-policy';
import { burstTimeoutSeconds } from '../../stacks/gcp/workflow/compile-workflow';
import { burstReserveMs } from '../../probe-runtime/driver/host';
import { validDefinition } from './fixtures';

const SAMPLE = path.resolve(__dirname, '../../experiments/arrivals/samples/azure-functions-2019-sample.csv');

function definition(schedule: StudyDefinitionInput['schedule'], functions: StudyDefinitionInput['functions'] = { memoryMb: [1024] }): StudyDefinitionInput {
  return { ...validDefinition(), id: 'v2', claims: [], functions, schedule, budget: { maxInvocations: 1_000_000, maxUsd: 10_000 } };
}
const bursts = (plan: StudyPlan) => plan.steps.filter((s): s is BurstStep => s.kind === 'burst');
const waits = (plan: StudyPlan) => plan.steps.filter((s): s is WaitStep => s.kind === 'wait');

describe('arrival processes', () => {
  test('fixed rate: one request every 1/rate s over the duration', () => {
    expect(arrivalTimesMs(Arrival.parse({ kind: 'fixed-rate', perSecond: 4, durationSeconds: 2 }))).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  test('Poisson: seeded (same seed, same times), and about rate × duration requests', () => {
    const a = PoissonArrival.parse({ kind: 'poisson', perSecond: 10, durationSeconds: 1000, seed: 7 });
    const times = arrivalTimesMs(a);
    expect(arrivalTimesMs(a)).toEqual(times);
    expect(arrivalTimesMs({ ...a, seed: 8 })).not.toEqual(times);
    // 10,000 expected; a Poisson count has sd 100, so ±500 is five standard deviations.
    expect(Math.abs(times.length - 10_000)).toBeLessThan(500);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  test('chunks of stepSeconds carry offsets from their own start', () => {
    const compiled = compileArrival(Arrival.parse({ kind: 'fixed-rate', perSecond: 1, durationSeconds: 25, stepSeconds: 10 }));
    expect(compiled.requests).toBe(25);
    expect(compiled.chunks.map((c) => c.startSeconds)).toEqual([0, 10, 20]);
    expect(compiled.chunks.map((c) => c.offsetsMs.length)).toEqual([10, 10, 5]);
    for (const c of compiled.chunks) expect(Math.max(...c.offsetsMs)).toBeLessThan(10_000);
  });
});

describe('the Azure Functions 2019 trace format', () => {
  const rows = parseAzureFunctionsTrace(readFileSync(SAMPLE, 'utf8'));

  test('the shipped sample: three functions of 1,440 minutes each', () => {
    expect(rows.map((r) => [r.trigger, r.perMinute.length])).toEqual([
      ['http', 1440],
      ['timer', 1440],
      ['queue', 1440],
    ]);
    expect(rows[1]!.perMinute.reduce((a, b) => a + b, 0)).toBe(288);
    expect(selectTraceRow(rows, rows[2]!.function.slice(0, 10))).toBe(rows[2]);
    expect(selectTraceRow(rows, undefined)).toBe(rows[0]);
    expect(() => selectTraceRow(rows, 'zzzz')).toThrow(/no row has a HashFunction starting with "zzzz"/);
  });

  test('bad files are refused with the line and column', () => {
    expect(() => parseAzureFunctionsTrace('HashOwner,HashApp,Function,Trigger,1\n')).toThrow(/line 1 column 3: expected the header/);
    expect(() => parseAzureFunctionsTrace('HashOwner,HashApp,HashFunction,Trigger,1,3\n')).toThrow(/line 1 column 6: expected minute column "2"/);
    expect(() => parseAzureFunctionsTrace('HashOwner,HashApp,HashFunction,Trigger,1,2\na,b,c,http,1,x\n')).toThrow(/line 2 column 6: expected a count of invocations, found "x"/);
    expect(() => parseAzureFunctionsTrace('HashOwner,HashApp,HashFunction,Trigger,1,2\na,b,c,http,1\n')).toThrow(/line 2: has 5 columns, the header 6/);
  });

  test('replay: slice, scale (stochastic rounding keeps the total), and requests spread inside their minute', () => {
    const perMinute = rows[0]!.perMinute;
    const arrival = TraceArrival.parse({ kind: 'trace', perMinute, fromMinute: 600, minutes: 60, scale: 0.5, seed: 3 });
    const times = arrivalTimesMs(arrival);
    const slice = perMinute.slice(600, 660);
    const expected = slice.reduce((a, b) => a + b, 0) * 0.5;
    expect(Math.abs(times.length - expected)).toBeLessThan(4 * Math.sqrt(slice.length) + 1);
    for (const t of times) expect(t).toBeLessThan(60 * 60_000);
    const unscaled = arrivalTimesMs({ ...arrival, scale: 1 });
    slice.forEach((count, m) => expect(unscaled.filter((t) => Math.floor(t / 60_000) === m)).toHaveLength(count));
  });
});

describe('open-loop bursts in the plan', () => {
  test('cut into bounded steps with send offsets, each chunk anchored to its start on the run clock', () => {
    // Planned for local: open-loop chunks are anchored, which the cloud orchestrators refuse for now (anchored-wait-refusal.test.ts).
    const plan = planStudy(definition([{ kind: 'burst', label: 'open', arrival: { kind: 'fixed-rate', perSecond: 2, durationSeconds: 900, stepSeconds: 300 } }]), { provider: 'local' });
    const open = bursts(plan);
    expect(open.map((b) => b.requests)).toEqual([600, 600, 600]);
    for (const b of open) {
      expect(b.sendOffsetsMs).toHaveLength(b.requests);
      expect(Math.max(...b.sendOffsetsMs!)).toBeLessThan(300_000);
      expect(b.concurrency).toBe(b.requests);
      // Each shard, sends spread over up to 300 s included, finishes within Lambda's 900 s (the driver's own time limit).
      expect(burstShardBoundSeconds(b, burstReserveMs(plan))).toBeLessThan(900);
    }
    expect(waits(plan).map((w) => w.untilSeconds)).toEqual([300, 600, 900]);
    expect(plan.invocations).toBe(1800);
    expect(plan.duration.estimatedSeconds).toBeGreaterThanOrEqual(900);
  });

  test('a trace file in the definition is refused until read; perMinute given inline plans', () => {
    expect(() => planStudy(definition([{ kind: 'burst', arrival: { kind: 'trace', file: 'x.csv' } }]), { provider: 'local' })).toThrow(/schedule\[0\]\.arrival\.file: the trace file has not been read/);
    const plan = planStudy(definition([{ kind: 'burst', label: 'replay', arrival: { kind: 'trace', perMinute: [3, 0, 0, 0, 2], stepSeconds: 60 } }]), { provider: 'local' });
    expect(bursts(plan).map((b) => b.requests)).toEqual([3, 2]);
    // Empty minutes make no step; the chunk at minute 4 is anchored at 240 s; the item lasts 300 s.
    expect(waits(plan).map((w) => w.untilSeconds)).toEqual([240, 300]);
  });

  test.each([
    [{ kind: 'burst', barrierMs: 100, arrival: { kind: 'fixed-rate', perSecond: 1, durationSeconds: 5 } }, /barrierMs: a barrier does not apply to open-loop arrivals/],
    [{ kind: 'burst', requestsPerTarget: 3, arrival: { kind: 'fixed-rate', perSecond: 1, durationSeconds: 5 } }, /requestsPerTarget: not used with arrival/],
    [{ kind: 'burst', arrival: { kind: 'trace', perMinute: [0, 0] } }, /arrival: the arrival process sends no request/],
    [{ kind: 'burst', arrival: { kind: 'fixed-rate', perSecond: 100, durationSeconds: 600 } }, /arrival: 30000 requests in one step of 300 s, more than the 5000 one step may carry; lower stepSeconds/],
  ])('refused: %j', (item, message) => {
    expect(() => planStudy(definition([item as StudyDefinitionInput['schedule'][number]]), { provider: 'local' })).toThrow(message);
  });
});

describe('waits anchored to the run start', () => {
  test('repeat every: iteration k starts at t0 + k × every, the repeat lasts times × every', () => {
    const plan = planStudy(definition([{ kind: 'repeat', times: 4, every: 300, steps: [{ kind: 'burst', label: 'ping' }] }]), { provider: 'local' });
    expect(plan.steps.map((s) => s.kind)).toEqual(['burst', 'wait', 'burst', 'wait', 'burst', 'wait', 'burst', 'wait']);
    expect(waits(plan).map((w) => w.untilSeconds)).toEqual([300, 600, 900, 1200]);
    // Planned lengths leave room for the bursts; they are what the cost and the duration estimate use.
    for (const w of waits(plan)) expect(w.seconds).toBeLessThan(300);
    expect(plan.duration.estimatedSeconds).toBe(1200);
  });

  test('the grid starts where the repeat is planned to start (whole seconds), not at the run start', () => {
    const plan = planStudy(definition([{ kind: 'burst', label: 'first' }, { kind: 'repeat', times: 2, every: 60, steps: [{ kind: 'burst', label: 'ping' }] }]), { provider: 'local' });
    const [first, second] = waits(plan);
    expect(second!.untilSeconds! - first!.untilSeconds!).toBe(60);
    expect(first!.untilSeconds).toBeGreaterThan(60);
    expect(first!.untilSeconds).toBeLessThan(65);
  });

  test('an iteration longer than its period is planned with a warning, not refused', () => {
    const plan = planStudy(definition([{ kind: 'repeat', times: 2, every: 10, steps: [{ kind: 'wait', seconds: 30 }] }]), { provider: 'local' });
    expect(plan.warnings.join('\n')).toMatch(/schedule\[0\]: an iteration is planned to take 30 s, longer than every 10 s/);
  });

  test('untilSeconds and seconds are exclusive', () => {
    expect(() => planStudy(definition([{ kind: 'wait', seconds: 1, untilSeconds: 5 }, { kind: 'burst' }]), { provider: 'local' })).toThrow(/exactly one of seconds or untilSeconds/);
  });
});

describe('payload sizes and per-function concurrency', () => {
  test('sizes and the per-function limit are carried by the burst step; plans without them are unchanged', () => {
    const plan = planStudy(definition([{ kind: 'burst', requestsPerTarget: 8, concurrencyPerTarget: 3, requestBytes: 1024, responseBytes: 65_536 }], { memoryMb: [512, 1024] }), { provider: 'aws' });
    expect(bursts(plan)[0]).toMatchObject({ requests: 16, concurrency: 16, shardTargetConcurrency: 3, requestBytes: 1024, responseBytes: 65_536 });
    const plain = bursts(planStudy(definition([{ kind: 'burst' }]), { provider: 'aws' }))[0]!;
    for (const key of ['shardTargetConcurrency', 'requestBytes', 'responseBytes', 'sendOffsetsMs']) expect(plain).not.toHaveProperty(key);
  });

  test('a payload over the provider limit is refused, from the capability table', () => {
    const big = definition([{ kind: 'burst', requestBytes: 7 * 1024 * 1024 }]);
    expect(() => planStudy(big, { provider: 'aws' })).toThrow(/requestBytes: 7340032 bytes plus the request's own 64 KiB exceed the 6291456-byte request limit/);
    expect(planStudy(big, { provider: 'gcp' }).invocations).toBe(1);
  });
});

describe('architecture and timeout as dimensions', () => {
  test('one function per architecture and timeout, keys unchanged for the x86_64 default, arm64 priced at the arm64 rate', () => {
    const plan = planStudy(definition([{ kind: 'burst', requestsPerTarget: 100, task: { name: 'sleep', ms: 1000 } }], { memoryMb: [1024], architecture: ['x86_64', 'arm64'], timeoutSeconds: [30, 60] }), { provider: 'aws' });
    expect(plan.functions.map((f) => [f.key, f.architecture, f.timeoutSeconds])).toEqual([
      ['node-m1024-t30-a-0', 'x86_64', 30],
      ['node-m1024-t60-a-0', 'x86_64', 60],
      ['node-arm64-m1024-t30-a-0', 'arm64', 30],
      ['node-arm64-m1024-t60-a-0', 'arm64', 60],
    ]);
    const units = plan.cost.units;
    expect(units.probeGbSecondsArm64).toBeCloseTo(units.probeGbSeconds! / 2, 6);
    // By hand: x86 GB-s at 0.0000166667, arm64 GB-s at 0.0000133334, plus requests.
    const expected = (units.probeGbSeconds! / 2) * 0.0000166667 + (units.probeGbSeconds! / 2) * 0.0000133334 + units.probeRequests! * 0.2e-6;
    expect(plan.cost.breakdown.probes).toBeCloseTo(expected, 6);
  });

  test('targets select by architecture; a provider without arm64 refuses, naming it', () => {
    const plan = planStudy(definition([{ kind: 'burst', targets: { architecture: ['arm64'] } }], { memoryMb: [1024], architecture: ['x86_64', 'arm64'] }), { provider: 'aws' });
    expect(bursts(plan)[0]!.targets).toEqual(['node-arm64-m1024-a-0']);
    expect(() => planStudy(definition([{ kind: 'burst' }], { memoryMb: [1024], architecture: ['x86_64', 'arm64'] }), { provider: 'gcp' })).toThrow(PlanRefusedError);
    expect(() => planStudy(definition([{ kind: 'burst' }], { memoryMb: [1024], architecture: ['arm64'] }), { provider: 'gcp' })).toThrow(/architecture arm64 is not offered by Google/);
  });

  test('a list with the same value twice is refused', () => {
    expect(() => planStudy(definition([{ kind: 'burst' }], { memoryMb: [1024], timeoutSeconds: [30, 30] }), { provider: 'aws' })).toThrow(/functions\.timeoutSeconds.*lists the same value twice/);
  });
});

describe('an open-loop burst lasts as long as its send offsets: durations and timeouts count the send span', () => {
  // Two chunks of 300 s: each burst spreads its sends over almost 300 s.
  const plan = planStudy(definition([{ kind: 'burst', label: 'open', arrival: { kind: 'fixed-rate', perSecond: 1, durationSeconds: 600, stepSeconds: 300 } }]), { provider: 'local' });
  const open = bursts(plan)[0]!;
  const closed: BurstStep = { ...open, sendOffsetsMs: undefined };
  const span = burstSendSpanMs(open);
  const withoutOffsets: StudyPlan = { ...plan, steps: plan.steps.map((s) => (s.kind === 'burst' ? { ...s, sendOffsetsMs: undefined } : s)) };

  test('the fixture spreads its sends over more than 4 minutes', () => {
    expect(span).toBe(299_000);
  });

  test('plannedStepSeconds (the duration estimate, the planned clock and the segments\' expected time) adds the span', () => {
    expect(plannedStepSeconds('aws', open) - plannedStepSeconds('aws', closed)).toBeCloseTo(span / 1000, 6);
    expect(plannedStepSeconds('aws', open)).toBeGreaterThan(299);
  });

  test('the AWS driver timeout (orchestration-policy.ts) gives a shard its send span', () => {
    const reserve = burstReserveMs(plan);
    expect(burstShardBoundSeconds(open, reserve) - burstShardBoundSeconds(closed, reserve)).toBeCloseTo(span / 1000, 6);
    expect(driverTimeoutSeconds(plan)).toBeGreaterThanOrEqual(driverTimeoutSeconds(withoutOffsets) + 299);
    // A span that pushes a shard over Lambda's 900 s is named in the problem.
    const long: BurstStep = { ...open, sendOffsetsMs: [0, 890_000] };
    expect(driverTimeoutProblems({ ...plan, steps: [long] })).toEqual([expect.stringMatching(/sends spread over 890000 ms .*over Lambda's 900 s limit/)]);
  });

  test('the Workflows shard call timeout gives a shard its send span', () => {
    expect(burstTimeoutSeconds(open) - burstTimeoutSeconds(closed)).toBe(299);
  });
});

describe('repeat', () => {
  test('times goes to 100,000 (the plan step limit bounds it too), with or without every', () => {
    const steps = [{ kind: 'burst' as const }];
    expect(RepeatItem.safeParse({ kind: 'repeat', times: 100_000, every: 60, steps }).success).toBe(true);
    expect(RepeatItem.safeParse({ kind: 'repeat', times: 100_000, steps }).success).toBe(true);
    const over = RepeatItem.safeParse({ kind: 'repeat', times: 100_001, every: 60, steps });
    expect(over.success).toBe(false);
    expect(over.error!.issues[0]!.path).toEqual(['times']);
    // Within the schema but over the step limit after expansion: refused by the planner.
    expect(() => planStudy(definition([{ kind: 'repeat', times: 100_000, every: 60, steps: [{ kind: 'burst' }] }]), { provider: 'local' })).toThrow(/expands to more than 100000 steps/);
  });
});
