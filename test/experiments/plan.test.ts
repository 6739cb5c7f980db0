import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { InputFileError, PlanRefusedError } from '../../experiments/errors';
import { shardRequestRange } from '../../experiments/expand-schedule';
import { planStudy } from '../../experiments/plan';
import type { BurstStep } from '../../experiments/plan-schema';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { buildCatalogStudy, resolveDefinitionFile } from '../../experiments/resolve-study';
import { validDefinition } from './fixtures';

const root = path.resolve(__dirname, '../..');

/** Reverse the key order of every object, recursively. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('planStudy determinism', () => {
  test('the same definition gives the same plan and hash, whatever the key order', () => {
    const a = planStudy(buildCatalogStudy('coldstart'), { provider: 'aws' });
    const b = planStudy(reverseKeys(buildCatalogStudy('coldstart')), { provider: 'aws' });
    expect(b).toEqual(a);
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the hash is the same in another process (no clocks, no randomness, no process state)', () => {
    const here = planStudy(buildCatalogStudy('placement'), { provider: 'gcp' }).hash;
    const script = `const {planStudy}=require('./experiments/plan');const {buildCatalogStudy}=require('./experiments/resolve-study');process.stdout.write(planStudy(buildCatalogStudy('placement'),{provider:'gcp'}).hash)`;
    const there = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(there).toBe(here);
  });

  test('the hash changes when anything that matters changes', () => {
    const base = planStudy(validDefinition(), { provider: 'aws' }).hash;
    const otherRegion = planStudy(validDefinition(), { provider: 'aws', region: 'eu-west-1' }).hash;
    const otherMemory = planStudy({ ...validDefinition(), functions: { memoryMb: [2048] } }, { provider: 'aws' }).hash;
    const otherBudget = planStudy(validDefinition(), { provider: 'aws', budget: { maxUsd: 5 } }).hash;
    expect(new Set([base, otherRegion, otherMemory, otherBudget]).size).toBe(4);
  });
});

describe('planStudy expansion', () => {
  test('a burst is split into balanced, non-empty shards that cover every request once', () => {
    const definition = { ...validDefinition(), functions: { memoryMb: [1024], copies: 3 } };
    definition.schedule = [{ kind: 'burst', requestsPerTarget: 87, concurrency: 150 }];
    const plan = planStudy(definition, { provider: 'aws' });
    const step = plan.steps[0] as BurstStep;
    expect(step.requests).toBe(261);
    expect(step.shards).toBe(3);
    const covered: number[] = [];
    for (let s = 0; s < step.shards; s++) {
      const { start, end } = shardRequestRange(step, s);
      expect(end - start).toBeGreaterThan(0);
      expect(end - start).toBeLessThanOrEqual(100);
      for (let r = start; r < end; r++) covered.push(r);
    }
    expect(covered).toEqual([...Array(261).keys()]);
    expect(step.shardConcurrency * step.shards).toBeGreaterThanOrEqual(150);
  });

  test('update steps set a new generation per step and per function', () => {
    const definition = { ...validDefinition(), functions: { memoryMb: [1024], copies: 2 } };
    definition.schedule = [{ kind: 'update', change: { kind: 'refresh' } }, { kind: 'burst' }];
    const plan = planStudy(definition, { provider: 'local' });
    expect(plan.steps.slice(0, 2)).toEqual([
      expect.objectContaining({ kind: 'update', function: 'node-m1024-a-0', generation: 'g1', id: '0000-update' }),
      expect.objectContaining({ kind: 'update', function: 'node-m1024-a-1', generation: 'g2', id: '0001-update' }),
    ]);
    // The initial generation differs from every update's, so a refresh at step 0 still forces new instances.
    expect(plan.functions.every((f) => f.env.CURTAIN_GENERATION === 'g0')).toBe(true);
  });

  test('memory adaptation: nearest size, merged variants, and the record of it', () => {
    const definition = { ...validDefinition(), adapt: { memory: 'nearest' as const }, functions: { memoryMb: [128, 1536, 3008] } };
    const gcp = planStudy(definition, { provider: 'gcp' });
    expect(gcp.functions.map((f) => [f.memoryMb, f.requestedMemoryMb])).toEqual([
      [128, [128]],
      [2048, [1536, 3008]],
    ]);
    expect(gcp.adaptations.join('\n')).toMatch(/memory 1536 MB .* using 2048 MB/);
    expect(gcp.adaptations.join('\n')).toMatch(/merged/);
    const azure = planStudy(definition, { provider: 'azure' });
    expect(azure.functions.map((f) => f.memoryMb)).toEqual([1536]);
    const flex = planStudy(definition, { provider: 'azure', hosting: 'flex' });
    expect(flex.functions.map((f) => f.memoryMb)).toEqual([2048]);
  });
});

describe('planStudy refusals name the reason', () => {
  const refused = (definition: unknown, provider: ProviderId, hosting?: string): string[] => {
    try {
      planStudy(definition, { provider, hosting });
    } catch (error) {
      if (error instanceof PlanRefusedError) return error.reasons;
      throw error;
    }
    throw new Error('expected the plan to be refused');
  };

  test('memory a provider cannot configure, when the definition says refuse', () => {
    const reasons = refused({ ...validDefinition(), adapt: { memory: 'refuse' }, functions: { memoryMb: [128] } }, 'azure');
    expect(reasons.join('\n')).toMatch(/memory 128 MB is not configurable on Azure Functions .*adapt.memory is "refuse"/);
  });

  test('a provider the study does not declare', () => {
    expect(refused({ ...validDefinition(), providers: ['aws'] }, 'gcp').join('\n')).toMatch(/declares providers aws/);
  });

  test('an unknown hosting plan', () => {
    expect(refused(validDefinition(), 'azure', 'premium').join('\n')).toMatch(/unknown hosting plan "premium".*consumption, flex/);
  });

  test('a timeout longer than the provider allows', () => {
    expect(refused({ ...validDefinition(), functions: { memoryMb: [1536], timeoutSeconds: 900 } }, 'azure').join('\n')).toMatch(/timeout 900 s exceeds the 600 s maximum/);
  });

  test('an architecture the provider does not offer', () => {
    expect(refused({ ...validDefinition(), functions: { memoryMb: [1024], architecture: 'arm64' } }, 'gcp').join('\n')).toMatch(/architecture arm64/);
  });

  test('a covert channel without a barrier, with more frames than requests, or not all at once', () => {
    const definition = validDefinition();
    definition.functions = { memoryMb: [128], copies: 2 };
    definition.schedule = [{ kind: 'burst', requestsPerTarget: 1, concurrency: 1, task: { name: 'covert-channel', frames: 3 } }];
    expect(refused(definition, 'aws')).toEqual([
      'schedule[0].barrierMs: the covert-channel task needs a barrier to align its frames',
      'schedule[0].task.frames: 3 frames need as many requests; the burst sends 2',
      'schedule[0].concurrency: the covert-channel task needs every request of the burst in flight at once',
    ]);
  });

  test('a burst that selects no function, by schedule path', () => {
    const definition = validDefinition();
    definition.schedule = [{ kind: 'wait', seconds: 1 }, { kind: 'burst', targets: { tenant: ['b'] } }];
    expect(refused(definition, 'aws')).toEqual(['schedule[1].targets: selects no function of this study']);
  });

  test('a task that cannot finish within the function timeout', () => {
    const definition = { ...validDefinition(), functions: { memoryMb: [1024], timeoutSeconds: 5 } };
    definition.schedule = [{ kind: 'burst', barrierMs: 2000, task: { name: 'cpu-share', durationMs: 4000 } }];
    expect(refused(definition, 'aws').join('\n')).toMatch(/schedule\[0\]: the cpu-share task may run 4000 ms after a 2000 ms barrier, longer than the functions' 5 s timeout/);
  });

  test('more tenants than the provider supports', () => {
    expect(refused({ ...validDefinition(), functions: { memoryMb: [1024], tenant: ['a', 'b', 'c'] } }, 'aws').join('\n')).toMatch(/3 tenants/);
  });
});

describe('budget verdict', () => {
  test('a plan over its USD budget says so, with the reason', () => {
    const plan = planStudy(validDefinition(), { provider: 'aws', budget: { maxUsd: 0.0001 } });
    expect(plan.budget.verdict).toBe('over');
    expect(plan.budget.reasons.join('\n')).toMatch(/exceeds the budget of \$0.0001/);
  });

  test('retries count against the invocation budget', () => {
    const definition = validDefinition();
    definition.schedule = [{ kind: 'burst', requestsPerTarget: 10, retries: 3 }];
    const plan = planStudy(definition, { provider: 'local', budget: { maxInvocations: 39 } });
    expect(plan.invocations).toBe(10);
    expect(plan.maxAttempts).toBe(40);
    expect(plan.budget.verdict).toBe('over');
  });
});

describe('resolveDefinitionFile', () => {
  test('always reads a file, even when the name looks like a catalog study', () => {
    expect(() => resolveDefinitionFile('coldstart')).toThrow(InputFileError);
    expect(() => resolveDefinitionFile('coldstart')).toThrow(/coldstart: no such file/);
  });
});
