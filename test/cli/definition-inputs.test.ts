/**
 * Bad and unusual study files, as researchers write them: each gets a one-line error naming the
 * file and the path, exit code 1 and no stack trace (real `curtain` processes where the point
 * is what a user sees), or is accepted where it is legitimate (BOM, async exports, helpers
 * imported from a file outside the repository). Also: named parameters of user files with
 * --set, --set keys that would reach an object's prototype, validate's per-provider verdict.
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validDefinition } from '../experiments/fixtures';
import { ROOT, runInProcess } from './run-cli';

// Outside the repository on purpose: helpers must resolve from anywhere.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
};
const base = { ...validDefinition(), id: 'inputs', providers: ['aws', 'gcp', 'local'] as ('aws' | 'gcp' | 'local')[], functions: { memoryMb: [1024] } };

function bin(args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/curtain.js'), ...args], { cwd: tmp, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
}

function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

function nested(levels: number): string {
  let steps = '{"kind":"burst"}';
  for (let i = 0; i < levels; i++) steps = `{"kind":"repeat","times":1,"steps":[${steps}]}`;
  return JSON.stringify({ ...base, schedule: ['__S__'] }).replace('"__S__"', steps);
}

describe('bad study files: one line naming the file and the path, exit 1', () => {
  test.each([1000, 5000])('JSON nested %d levels deep', (levels) => {
    const r = bin(['validate', write(`deep${levels}.json`, nested(levels))]);
    expectOneLineError(r, new RegExp(`deep${levels}\\.json: schedule\\[0\\]\\.steps\\[0\\].*nested more than 64 levels deep`));
  });

  test('a .ts study that builds 5,000 levels of nesting', () => {
    const file = write('deep.ts', `let s: any = { kind: 'burst' };\nfor (let i = 0; i < 5000; i++) s = { kind: 'repeat', times: 1, steps: [s] };\nexport default { ...${JSON.stringify(base)}, schedule: [s] };\n`);
    expectOneLineError(bin(['validate', file]), /deep\.ts: the definition it exports: schedule\[0\]\.steps\[0\].*nested more than 64 levels deep/);
  });

  test('an endless loop is stopped by the loading time limit, and the message says so', () => {
    const file = write('loop.ts', 'while (true) {}\nexport default {};\n');
    const r = bin(['validate', file], { CURTAIN_LOAD_TIMEOUT_SECONDS: '2' });
    expectOneLineError(r, /loop\.ts: did not finish loading within 2 s \(an endless loop.*CURTAIN_LOAD_TIMEOUT_SECONDS/);
    // A sanity bound, not a speed target: the limit, not the test's own 60 s timeout, ended it.
    expect(r.seconds).toBeLessThan(30);
  });

  test('a promise that never settles: said at once when nothing is left to run, else stopped by the time limit', async () => {
    process.env.CURTAIN_LOAD_TIMEOUT_SECONDS = '2';
    try {
      const idle = await runInProcess(['validate', write('never.ts', 'export default new Promise(() => {});\n')]);
      expect(idle.code).toBe(1);
      expect(idle.stderr).toMatch(/never\.ts: its exported promise never settles/);
      const busy = await runInProcess(['validate', write('ticking.ts', 'export default new Promise(() => { setInterval(() => {}, 100); });\n')]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/ticking\.ts: did not finish loading within 2 s/);
    } finally {
      delete process.env.CURTAIN_LOAD_TIMEOUT_SECONDS;
    }
  });

  test('a file that is not UTF-8 is refused with the line and column of the first bad byte', () => {
    const text = Buffer.from(JSON.stringify({ ...base, title: 'Cafe study' }, null, 2));
    text[text.indexOf('Cafe') + 3] = 0xe9; // "Café" in Latin-1
    const r = bin(['validate', write('latin1.json', text)]);
    expectOneLineError(r, /latin1\.json: is not valid UTF-8 \(byte 0xe9 at line 3 column \d+\); save it as UTF-8/);
  });

  test('a range whose min is greater than its max', () => {
    const claims = [{ ...validDefinition().claims![0]!, expected: { kind: 'range', min: 50, max: 10, unit: 'ms' } }];
    const r = bin(['validate', write('range.json', JSON.stringify({ ...base, claims }))]);
    expectOneLineError(r, /invalid .*range\.json: claims\[0\]\.expected\.max: min is greater than max/);
  });

  test('a user study with the id of a catalog study', () => {
    const r = bin(['validate', write('shadow.json', JSON.stringify({ ...base, id: 'coldstart' }))]);
    expectOneLineError(r, /invalid .*shadow\.json: id: "coldstart" is the id of a catalog study/);
  });

  test('a non-regular file (a FIFO would block the reader for ever)', async () => {
    const fifo = path.join(tmp, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const r = await runInProcess(['validate', fifo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pipe\.json: is not a regular file/);
  });

  test('an async build that rejects', async () => {
    const r = await runInProcess(['validate', write('rejects.ts', "export default async () => { throw new Error('no network here'); };\n")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/rejects\.ts: its exported function failed: no network here$/);
  });

  test('a value JSON cannot carry names its path', async () => {
    const r = await runInProcess(['validate', write('nan.ts', `export default { ...${JSON.stringify(base)}, budget: { maxInvocations: 10, maxUsd: 0 / 0 } };\n`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nan\.ts: the definition it exports: budget\.maxUsd: NaN is not a JSON number/);
  });
});

describe('legitimate files that used to fail', () => {
  test('a UTF-8 byte-order mark is accepted', async () => {
    const r = await runInProcess(['validate', write('bom.json', `\ufeff${JSON.stringify(base)}`)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/study "inputs" matches the schema/);
  });

  test('an async default export is awaited', async () => {
    const r = await runInProcess(['validate', write('async.ts', `export default async () => (${JSON.stringify(base)});\n`)]);
    expect(r.code).toBe(0);
  });

  test('a .ts file outside the repository imports curtain/study and zod', () => {
    const file = write(
      'helpers.ts',
      `import { defineStudy, param, z, type StudyDefinitionInput } from 'curtain/study';
const base: StudyDefinitionInput = ${JSON.stringify(base)};
export default defineStudy({
  parameters: { size: param.integers([1024], { min: 128, max: 4096 }), title: param.string('from helpers') },
  build: (p) => ({ ...base, title: z.string().min(3).parse(p.title), functions: { memoryMb: p.size } }),
});
`,
    );
    const r = bin(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/parameters: size = \[1024\] \(integer\[\]\); title = "from helpers" \(string\)/);
  });
});

describe('named parameters of user files', () => {
  const jsonFile = () =>
    write(
      'params.json',
      JSON.stringify({
        $parameters: { requests: { type: 'integer', default: 3, min: 1, max: 50 }, memory: { type: 'integer[]', default: [512, 1024], min: 128 } },
        ...base,
        functions: { memoryMb: { $param: 'memory' } },
        schedule: [{ kind: 'burst', label: 'ping', requestsPerTarget: { $param: 'requests' } }],
      }),
    );

  test('JSON: defaults, --set overrides, one value for a list parameter is a list of one, values recorded in the plan', async () => {
    const file = jsonFile();
    const defaults = await runInProcess(['plan', file, '--provider', 'local', '--json']);
    expect(defaults.code).toBe(0);
    const plan = JSON.parse(defaults.stdout) as { invocations: number; parameters: Record<string, unknown> };
    expect(plan.invocations).toBe(6);
    expect(plan.parameters).toEqual({ requests: 3, memory: [512, 1024] });
    const set = await runInProcess(['plan', file, '--provider', 'local', '--json', '--set', 'requests=5', '--set', 'memory=2048']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ invocations: 5, parameters: { requests: 5, memory: [2048] } });
  });

  test('an invalid override is named as the --set that caused it', async () => {
    const r = await runInProcess(['validate', jsonFile(), '--set', 'requests=500']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^curtain: invalid parameters of .*params\.json: --set requests=500: Too big/);
    const path_ = await runInProcess(['validate', jsonFile(), '--set', 'budget.maxUsd=-1']);
    expect(path_.stderr.trim()).toMatch(/^curtain: invalid --set budget\.maxUsd=-1 \(for .*params\.json\): budget\.maxUsd: /);
    const typo = await runInProcess(['validate', jsonFile(), '--set', 'request=5']);
    expect(typo.stderr).toMatch(/--set request=5 .*unknown key "request"; did you mean the parameter "requests"\?/);
  });

  test('a reference to an undeclared parameter names its path', async () => {
    const r = await runInProcess(['validate', write('badref.json', JSON.stringify({ $parameters: {}, ...base, title: { $param: 'name' } }))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/title: \{"\$param": "name"\} names no declared parameter/);
  });

  test('TS: defineStudy parameters are set with --set, and a failing build names the override', async () => {
    const file = write(
      'ts-params.ts',
      `import { defineStudy, param } from 'curtain/study';
export default defineStudy({
  parameters: { pingMinutes: param.integers([5, 10], { min: 1 }) },
  build: (p) => {
    if (p.pingMinutes.includes(7)) throw new Error('7 is not allowed here');
    return { ...${JSON.stringify(base)}, schedule: p.pingMinutes.map((m) => ({ kind: 'burst', label: \`ping-\${m}m\` })) };
  },
});
`,
    );
    const ok = await runInProcess(['plan', file, '--provider', 'local', '--json', '--set', 'pingMinutes=15']);
    expect(ok.code).toBe(0);
    const plan = JSON.parse(ok.stdout) as { steps: { label?: string }[]; parameters: unknown };
    expect(plan.steps.map((s) => s.label)).toEqual(['ping-15m']);
    expect(plan.parameters).toEqual({ pingMinutes: [15] });
    const bad = await runInProcess(['plan', file, '--provider', 'local', '--set', 'pingMinutes=7']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/ts-params\.ts: its build function failed: 7 is not allowed here \(with --set pingMinutes\)$/);
  });
});

describe('--set keys that would reach the prototype are refused, not ignored', () => {
  test.each([
    ['plan', 'coldstart', '--provider', 'local', '--set', '__proto__=1'],
    ['plan', 'coldstart', '--provider', 'local', '--set', 'constructor.prototype.x=1'],
    ['run', 'coldstart', '--set', 'prototype=1'],
  ])('%s %s … %s %s', async (...args) => {
    const r = await runInProcess(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid --set: (__proto__|constructor\.prototype\.x|prototype): cannot be set/);
  });

  test('in a user file too', async () => {
    const r = await runInProcess(['validate', write('proto.json', JSON.stringify(base)), '--set', 'functions.__proto__.memoryMb=1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be set: "__proto__"/);
  });
});

describe('validate: one line per provider; exit 1 only for a refused provider you asked for, or when none accepts', () => {
  const arm = () => write('arm.json', JSON.stringify({ ...base, functions: { memoryMb: [1024], architecture: 'arm64' } }));

  test('a provider that refuses does not fail the file when another accepts', async () => {
    const r = await runInProcess(['validate', arm()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/aws: plans \d+ requests/);
    expect(r.stdout).toMatch(/gcp: refused: architecture arm64 is not offered/);
  });

  test('asking for the refusing provider fails; asking for the accepting one passes', async () => {
    expect((await runInProcess(['validate', arm(), '--provider', 'gcp'])).code).toBe(1);
    expect((await runInProcess(['validate', arm(), '--provider', 'aws'])).code).toBe(0);
  });

  test('no provider accepting fails', async () => {
    const r = await runInProcess(['validate', write('none.json', JSON.stringify({ ...base, providers: ['gcp'], functions: { memoryMb: [1024], architecture: 'arm64' } }))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no provider it declares accepts the study/);
  });

  test('a claim on a metric the analysis does not compute fails validation, naming the claim', async () => {
    const claims = [{ ...validDefinition().claims![0]!, metric: 'coldstart.warmMedian' }];
    const r = await runInProcess(['validate', write('claim.json', JSON.stringify({ ...base, claims }))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/claims\[0\]\.metric: "coldstart\.warmMedian" is not a metric of the coldstart analysis; did you mean "coldstart\.warmMedianMs"/);
  });
});
