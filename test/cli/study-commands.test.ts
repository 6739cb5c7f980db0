import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXPERIMENTS, PROVIDERS } from '../../experiments/schema';
import { StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy } from '../../experiments/resolve-study';
import { validDefinition } from '../experiments/fixtures';
import { scratchDir } from '../support/scratch-dirs';
import { runBin, runInProcess } from './run-cli';

const tmp = scratchDir('curtain-cli-');
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
};

describe('curtain list', () => {
  test('--json lists at least 10 studies covering E1–E10', async () => {
    const { code, stdout } = await runInProcess(['list', '--json']);
    expect(code).toBe(0);
    const studies = JSON.parse(stdout) as { id: string; title: string; experiment: string; providers: string[] }[];
    expect(studies.length).toBeGreaterThanOrEqual(10);
    expect(new Set(studies.map((s) => s.experiment))).toEqual(new Set(EXPERIMENTS));
    for (const s of studies) expect(Object.keys(s).sort()).toEqual(['experiment', 'id', 'providers', 'title']);
  });

  test('prints a table by default', async () => {
    const { code, stdout } = await runInProcess(['list']);
    expect(code).toBe(0);
    // The providers column is what the study declares (placement, for one, leaves out Cloudflare).
    expect(stdout).toMatch(new RegExp(`^coldstart\\s+E4\\s+${buildCatalogStudy('coldstart').providers.join(',')}\\s`, 'm'));
  });
});

describe('curtain plan', () => {
  test.each([...PROVIDERS])('coldstart --provider %s --json prints a valid plan', async (provider) => {
    const { code, stdout } = await runInProcess(['plan', 'coldstart', '--provider', provider, '--json']);
    expect(code).toBe(0);
    const plan = StudyPlan.parse(JSON.parse(stdout));
    expect(plan.provider).toBe(provider);
    expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.invocations).toBeGreaterThan(0);
    expect(typeof plan.cost.usd).toBe('number');
    expect(plan.functions.length).toBeGreaterThan(0);
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  test('human output shows functions, schedule, duration, cost with its price table, and the verdict', async () => {
    const { code, stdout } = await runInProcess(['plan', 'coldstart', '--provider', 'aws']);
    expect(code).toBe(0);
    for (const fragment of ['Functions to deploy (14)', 'Schedule (80 steps)', 'Duration: about', 'Estimated cost: $', 'prices: aws-us-east-1', 'Budget: within']) {
      expect(stdout).toContain(fragment);
    }
  });

  test.each([
    ['aws', 'AWS Step Functions', /28 executions, each handing over to the next/, /nearest limit: Step Functions execution history events \(Standard\): 25,000 events \(Step Functions service quotas, https:/],
    ['gcp', 'Google Cloud Workflows', /2 executions, each handing over/, /nearest limit: Workflows steps executed in one execution: 100,000 steps/],
    ['azure', 'Azure Durable Functions', /9 executions, each handing over/, /nearest limit: Durable Functions orchestration history events before continue-as-new \(Curtain budget\)/],
  ])('a week of lifetime on %s: the orchestrator, its executions and the nearest limit', async (provider, engine, executions, nearest) => {
    const { code, stdout } = await runInProcess(['plan', 'lifetime', '--provider', provider, '--set', 'hours=168']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Orchestration: ${engine}`);
    expect(stdout).toMatch(executions);
    expect(stdout).toMatch(nearest);
    expect(stdout).toMatch(/^\s+1\s+0–\d+\s+\d+\s+[\d,]+ \(\d+ %\)\s+[\d.]+ (h|days)$/m);
  });

  test('--set overrides parameters and changes the plan', async () => {
    const { stdout } = await runInProcess(['plan', 'coldstart', '--provider', 'local', '--json', '--set', 'rounds=2', '--set', 'memoryMb=128,256', '--set', 'runtimes=["nodejs"]']);
    const plan = StudyPlan.parse(JSON.parse(stdout));
    expect(plan.functions.map((f) => f.key)).toEqual(['node-m128-a-0', 'node-m256-a-0']);
    expect(plan.parameters.rounds).toBe(2);
  });

  test('a single --set value for a list parameter is a list of one', async () => {
    const { code, stdout } = await runInProcess(['plan', 'coldstart', '--provider', 'local', '--json', '--set', 'memoryMb=512', '--set', 'runtimes=python']);
    expect(code).toBe(0);
    expect(StudyPlan.parse(JSON.parse(stdout)).functions.map((f) => f.key)).toEqual(['py-m512-a-0']);
  });

  test('an unknown --set parameter is named, with a suggestion', async () => {
    const { code, stderr } = await runInProcess(['plan', 'coldstart', '--provider', 'aws', '--set', 'round=3']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/round: not a parameter of coldstart; did you mean "rounds"\?/);
  });

  test('a bad --set value names the parameter', async () => {
    const { code, stderr } = await runInProcess(['plan', 'coldstart', '--provider', 'aws', '--set', 'rounds=many']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/rounds: expected number, received string/);
  });

  test('an over-budget plan is refused with exit 2 (real process)', () => {
    const { code, stderr, stdout } = runBin(['plan', 'coldstart', '--provider', 'aws', '--max-usd', '0.0001']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/plan refused: over budget: estimated cost \$[0-9.]+ exceeds the budget of \$0.0001/);
    expect(stdout).toContain('Budget: OVER');
  });

  test('an unknown study suggests the closest ones (real process, no stack trace)', () => {
    const { code, stderr } = runBin(['plan', 'coldstrat', '--provider', 'aws']);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('curtain: unknown study "coldstrat"; did you mean "coldstart"? (see `curtain list`)');
  });

  test('a missing or unknown provider is named', async () => {
    const missing = await runInProcess(['plan', 'coldstart']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`expected one of ${PROVIDERS.join(', ')}`);
    const unknown = await runInProcess(['plan', 'coldstart', '--provider', 'ibm']);
    expect(unknown.stderr).toContain(`--provider: expected one of ${PROVIDERS.join(', ')}`);
  });

  test('an unknown option suggests the right one', async () => {
    const { code, stderr } = await runInProcess(['plan', 'coldstart', '--provder', 'aws']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown option --provder; did you mean --provider\?/);
  });

  test('a provider that cannot run the study gives the reason and exit 1', async () => {
    const file = write('arm.json', JSON.stringify({ ...validDefinition(), functions: { memoryMb: [1024], architecture: 'arm64' } }));
    const { code, stderr } = await runInProcess(['plan', file, '--provider', 'gcp']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/gcp cannot run study tiny:\n\s+- architecture arm64/);
  });
});

describe('curtain show', () => {
  test('shows parameters, claims with confidence labels, docs and cost per provider', async () => {
    const { code, stdout } = await runInProcess(['show', 'coldstart']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Parameters \(override with --set name=value\)/);
    expect(stdout).toMatch(/rounds\s+5\s+cold\/warm rounds/);
    expect(stdout).toMatch(/aws-warm-median\s+aws\s+\[P\]/);
    expect(stdout).toMatch(/gcp-cold-128\s+gcp\s+\[S\]/);
    expect(stdout).toMatch(/^azure\s+2\s+/m);
    expect(stdout).toContain('forced cold starts');
  });

  test('--json carries the definition, parameters, docs and plans', async () => {
    const { stdout } = await runInProcess(['show', 'idle-recycling', '--json']);
    const shown = JSON.parse(stdout);
    expect(shown.definition.id).toBe('idle-recycling');
    expect(shown.parameters.map((p: { name: string }) => p.name)).toContain('gapsMinutes');
    // One plan per provider the study declares.
    expect(shown.plans.map((p: { provider: string }) => p.provider)).toEqual(buildCatalogStudy('idle-recycling').providers);
  });
});

describe('curtain validate', () => {
  test('accepts a valid JSON definition and plans it for each provider', async () => {
    const file = write('ok.json', JSON.stringify(validDefinition()));
    const { code, stdout } = await runInProcess(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/study "tiny" matches the schema/);
    expect(stdout).toMatch(/aws: plans 20 requests/);
  });

  test('accepts a TypeScript definition exporting default, with relative imports', async () => {
    write('shared.ts', 'export const memory: number[] = [512];\n');
    const file = write(
      'study.ts',
      `import { memory } from './shared';\nconst base = ${JSON.stringify(validDefinition())};\nexport default { ...base, id: 'from-ts', functions: { memoryMb: memory } };\n`,
    );
    const { code, stdout } = await runInProcess(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/study "from-ts" matches the schema/);
  });

  test('names every invalid path of a bad definition', async () => {
    const bad = { ...validDefinition(), functions: { memoryMb: [128, 256, 'x'] }, providers: ['aws', 'ibm'] };
    const file = write('bad.json', JSON.stringify(bad));
    const { code, stderr } = await runInProcess(['validate', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('functions.memoryMb[2]: expected number, received string');
    expect(stderr).toMatch(/providers\[1\]: /);
  });

  test.each([
    ['empty.json', '', /^curtain: .*empty\.json: is empty; expected a study definition$/],
    ['blank.ts', '  \n\n', /^curtain: .*blank\.ts: is empty; expected a study definition$/],
    ['broken.json', '{\n  "id": "x",\n  oops\n}', /^curtain: .*broken\.json: not valid JSON at line 3 column 3: /],
    ['broken.ts', 'export default { id: "x", ;\n', /^curtain: .*broken\.ts: not valid TypeScript\/JavaScript at line 1 column \d+: /],
    ['nothing.ts', 'export const x = 1;\n', /^curtain: .*nothing\.ts: exports no study/],
    ['study.yaml', 'id: x\n', /^curtain: .*study\.yaml: unsupported extension ".yaml"/],
  ])('%s gets a one-line error, no stack trace (real process)', (name, text, expected) => {
    const file = write(name, text);
    const { code, stderr } = runBin(['validate', file]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(expected);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('a missing file is named', async () => {
    const { code, stderr } = await runInProcess(['validate', path.join(tmp, 'absent.json')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/absent\.json: no such file/);
  });
});

describe('curtain (top level)', () => {
  test('an unknown command suggests the closest', async () => {
    const { code, stderr } = await runInProcess(['plna']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown command "plna"; did you mean "plan"\?/);
  });

  test('help lists every command', async () => {
    const { code, stdout } = await runInProcess(['help']);
    expect(code).toBe(0);
    for (const name of ['list', 'show', 'plan', 'validate']) expect(stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
  });
});
