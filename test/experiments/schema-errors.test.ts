import { problemsFromZod } from '../../experiments/errors';
import { StudyDefinition } from '../../experiments/schema';
import { PROVIDER_IDS } from '../../probe-runtime/contracts/providers';
import { validDefinition } from './fixtures';

// biome-ignore lint/suspicious/noExplicitAny: test-only: the mutations reach into arbitrary paths of a definition
type Mutable = Record<string, any>;

/** [description, mutation, expected path, expected message fragment] */
const INVALID: [string, (d: Mutable) => void, string, RegExp][] = [
  ['upper-case id', (d) => (d.id = 'Cold'), 'id', /kebab-case/],
  ['id too long', (d) => (d.id = 'a-very-long-study-identifier-x'), 'id', /at most 24/],
  ['missing title', (d) => delete d.title, 'title', /required/],
  ['unknown experiment', (d) => (d.paper.experiment = 'E11'), 'paper.experiment', /E1/],
  ['no providers', (d) => (d.providers = []), 'providers', /too small|>=1/i],
  ['unknown provider', (d) => (d.providers = ['aws', 'ibm']), 'providers[1]', new RegExp(PROVIDER_IDS.map((id) => `"${id}"`).join('\\|'))],
  ['memory not a number', (d) => (d.functions.memoryMb = [128, 'x']), 'functions.memoryMb[1]', /expected number/],
  ['memory too small', (d) => (d.functions.memoryMb = [32]), 'functions.memoryMb[0]', />=64/],
  ['unknown runtime', (d) => (d.functions.runtime = ['java']), 'functions.runtime[0]', /nodejs/],
  ['upper-case tenant', (d) => (d.functions.tenant = ['A']), 'functions.tenant[0]', /single lower-case letter/],
  ['zero copies', (d) => (d.functions.copies = 0), 'functions.copies', />=1/],
  ['unknown function key', (d) => (d.functions.cpu = 2), 'functions', /unknown key "cpu"/],
  ['empty schedule', (d) => (d.schedule = []), 'schedule', /too small|>=1/i],
  ['unknown step kind', (d) => (d.schedule[0].kind = 'sleep'), 'schedule[0].kind', /burst/],
  ['zero concurrency', (d) => (d.schedule[0].concurrency = 0), 'schedule[0].concurrency', />=1/],
  ['sleep without ms', (d) => (d.schedule[0].task = { name: 'sleep' }), 'schedule[0].task.ms', /required/],
  ['unknown task', (d) => (d.schedule[0].task = { name: 'dance' }), 'schedule[0].task.name', /cpu-share/],
  ['cpu-share too long', (d) => (d.schedule[0].task = { name: 'cpu-share', durationMs: 1e9 }), 'schedule[0].task.durationMs', /<=120000/],
  ['negative wait', (d) => (d.schedule[1].seconds = -1), 'schedule[1].seconds', />0/],
  ['unknown selector key', (d) => (d.schedule[0].targets = { memory: [128] }), 'schedule[0].targets', /unknown key "memory"/],
  ['repeat zero times', (d) => (d.schedule = [{ kind: 'repeat', times: 0, steps: [{ kind: 'wait', seconds: 1 }] }]), 'schedule[0].times', />=1/],
  [
    'bad nested burst',
    (d) => (d.schedule = [{ kind: 'repeat', times: 2, steps: [{ kind: 'burst', requestsPerTarget: 'many' }] }]),
    'schedule[0].steps[0].requestsPerTarget',
    /expected number/,
  ],
  ['unknown change', (d) => (d.schedule[0] = { kind: 'update', change: { kind: 'restart' } }), 'schedule[0].change.kind', /refresh/],
  ['lower-case env name', (d) => (d.schedule[0] = { kind: 'update', change: { kind: 'env', name: 'x', value: '1' } }), 'schedule[0].change.name', /upper-case/],
  ['unknown confidence', (d) => (d.claims[0].confidence = 'X'), 'claims[0].confidence', /"P"/],
  ['expectation without unit', (d) => delete d.claims[0].expected.unit, 'claims[0].expected.unit', /required/],
  ['negative budget', (d) => (d.budget.maxUsd = -1), 'budget.maxUsd', />0/],
  ['missing budget', (d) => delete d.budget, 'budget', /required/],
  ['unknown analysis', (d) => (d.analysis.kind = 'magic'), 'analysis.kind', /coldstart/],
  ['unknown adapt policy', (d) => (d.adapt.memory = 'round'), 'adapt.memory', /nearest/],
  ['unknown top-level key', (d) => (d.colour = 'red'), '', /unknown key "colour"/],
];

describe('study definition validation', () => {
  test('the base fixture is valid', () => {
    expect(StudyDefinition.safeParse(validDefinition()).success).toBe(true);
  });

  test(`the table holds at least 20 invalid definitions (${INVALID.length})`, () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(20);
  });

  const cases = INVALID.map(([name, mutate, path, message]) => ({ name, mutate, path, message }));
  test.each(cases)('$name fails at "$path"', ({ mutate, path, message }) => {
    const definition = validDefinition() as Mutable;
    mutate(definition);
    const result = StudyDefinition.safeParse(definition);
    expect(result.success).toBe(false);
    if (result.success) return;
    const problems = problemsFromZod(result.error);
    const atPath = problems.filter((p) => p.path === path);
    expect(atPath.map((p) => `${p.path}: ${p.message}`)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
