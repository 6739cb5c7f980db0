/**
 * Run directories a careless or hostile hand has touched (issue 14, defects 7, 8 and 12):
 * `curtain report` and `curtain compare` answer each with one line naming the file (and
 * line) and exit 1, in bounded memory, without following links out of the run or
 * printing what they point to; an edited plan is caught by its hash.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, openSync, ftruncateSync, closeSync, existsSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../cli/main';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();
let counter = 0;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTty: false, cwd: tmp() }, out, err };
}

/** A small, valid local coldstart run; returns its directory and the relative path of its first shard. */
function validRun(): { dir: string; shard: string; run: SyntheticRun } {
  const plan = catalogPlan('coldstart', 'local', { rounds: 2, memoryMb: [128], runtimes: ['nodejs'] });
  const run = new SyntheticRun(plan, { runId: `20261206T120000Z-h${++counter}`, profile: 'aws-2018', timeScale: 20, seed: counter });
  for (const step of run.bursts()) for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: run.instance(run.host()) });
  const dir = run.write(path.join(tmp(), `results-${counter}`));
  const first = run.bursts()[0]!;
  return { dir, shard: `steps/${first.id}/000.jsonl`, run };
}

async function report(dir: string, ...extra: string[]) {
  const c = capture();
  const code = await main(['report', dir, ...extra], c.io);
  return { code, err: c.err.join('\n'), out: c.out.join('\n') };
}

/** Exit 1 and exactly one error line (progress lines before it are fine), no stack trace. */
function expectOneLineRefusal(result: { code: number; err: string }, ...patterns: RegExp[]) {
  expect(result.code).toBe(1);
  const errors = result.err.trim().split('\n').filter((l) => l.startsWith('curtain'));
  expect(errors).toHaveLength(1);
  expect(result.err).not.toMatch(/internal error|\n\s+at /);
  for (const p of patterns) expect(errors[0]).toMatch(p);
}

describe('shards that are not regular files', () => {
  test('a directory named like a shard is refused, naming it (was: internal error EISDIR)', async () => {
    const { dir, run } = validRun();
    const step = run.bursts()[1]!;
    mkdirSync(path.join(dir, 'steps', step.id, '001.jsonl'));
    expectOneLineRefusal(await report(dir), new RegExp(`steps/${step.id}/001\\.jsonl`), /not a regular file \(a directory\)/);
  });

  test('a FIFO named like a shard is refused at once instead of hanging the report', async () => {
    const { dir, shard } = validRun();
    rmSync(path.join(dir, shard));
    execFileSync('mkfifo', [path.join(dir, shard)]);
    const started = Date.now();
    expectOneLineRefusal(await report(dir), new RegExp(shard.replace(/\./g, '\\.')), /not a regular file \(a FIFO\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  test('a shard linked to /dev/zero is refused without reading it', async () => {
    const { dir, shard } = validRun();
    rmSync(path.join(dir, shard));
    symlinkSync('/dev/zero', path.join(dir, shard));
    expectOneLineRefusal(await report(dir), new RegExp(shard.replace(/\./g, '\\.')), /symbolic link to .*outside the run directory/);
  });

  test('a shard linked to a file outside the run directory is refused, and none of its lines is printed', async () => {
    const { dir, shard } = validRun();
    const secret = path.join(tmp(), `secret-${counter}.jsonl`);
    writeFileSync(secret, 'TOP-SECRET-LINE-1\nTOP-SECRET-LINE-2\n');
    rmSync(path.join(dir, shard));
    symlinkSync(secret, path.join(dir, shard));
    const result = await report(dir);
    expectOneLineRefusal(result, /outside the run directory/);
    expect(result.err + result.out).not.toMatch(/TOP-SECRET/);
  });

  test('a shard linked to another file inside the run directory is read', async () => {
    const { dir, shard, run } = validRun();
    const copy = path.join(dir, 'copy-of-shard.jsonl');
    writeFileSync(copy, readFileSync(path.join(dir, shard)));
    rmSync(path.join(dir, shard));
    symlinkSync(copy, path.join(dir, shard));
    const result = await report(dir, '--json');
    expect(result.code).toBe(0);
    expect(run.bursts()[0]!.requests).toBeGreaterThan(0);
  });
});

describe('sizes are bounded', () => {
  test('a shard larger than its planned requests can fill is refused before it is read (sparse 600 MB, no newline)', async () => {
    const { dir, shard } = validRun();
    const file = path.join(dir, shard);
    rmSync(file);
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 600 * 1024 * 1024); // sparse: no disk used
    closeSync(fd);
    const before = process.memoryUsage().rss;
    expectOneLineRefusal(await report(dir), new RegExp(shard.replace(/\./g, '\\.')), /629145600 bytes.*at most \d+ bytes for its \d+ planned request/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  }, 30_000);

  test('a line longer than any record can be is refused at that line, after reading no more than the limit', async () => {
    const { dir, shard } = validRun();
    const file = path.join(dir, shard);
    const good = readFileSync(file, 'utf8').split('\n')[0]!;
    writeFileSync(file, `${good}\n${'x'.repeat(3 * 1024 * 1024)}`);
    expectOneLineRefusal(await report(dir), new RegExp(`${shard.replace(/\./g, '\\.')}:2`), /line longer than 2097152 bytes/);
  });

  test('plan.json linked to /dev/zero is refused (was: std::bad_alloc, rc 134)', async () => {
    const { dir } = validRun();
    rmSync(path.join(dir, 'plan.json'));
    symlinkSync('/dev/zero', path.join(dir, 'plan.json'));
    expectOneLineRefusal(await report(dir), /plan\.json/, /outside the run directory/);
  });

  test('a plan.json larger than any plan is refused before it is read', async () => {
    const { dir } = validRun();
    const fd = openSync(path.join(dir, 'plan.json'), 'w');
    ftruncateSync(fd, 1024 * 1024 * 1024);
    closeSync(fd);
    expectOneLineRefusal(await report(dir), /plan\.json: 1073741824 bytes, more than any plan/);
  });

  test('run.json as a directory is a note, not a crash', async () => {
    const { dir } = validRun();
    rmSync(path.join(dir, 'run.json'));
    mkdirSync(path.join(dir, 'run.json'));
    const result = await report(dir, '--json');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.out) as { reportPath: string };
    expect(readFileSync(written.reportPath, 'utf8')).toMatch(/run\.json was ignored: .*not a regular file/);
  });
});

describe('content', () => {
  test('invalid UTF-8 in a record is a malformed line, never a new label', async () => {
    const { dir, shard } = validRun();
    const file = path.join(dir, shard);
    const [first, ...rest] = readFileSync(file, 'utf8').split('\n');
    const label = (JSON.parse(first!) as { label: string }).label;
    const bad = Buffer.from(first!.replace(`"label":"${label}"`, `"label":"${label}\u0001"`), 'utf8');
    bad[bad.indexOf(0x01)] = 0xff; // a byte that never occurs in UTF-8
    writeFileSync(file, Buffer.concat([bad, Buffer.from(`\n${rest.join('\n')}`)]));
    const result = await report(dir, '--json');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.out) as { reportPath: string };
    const text = readFileSync(written.reportPath, 'utf8');
    expect(text).toMatch(new RegExp(`\\| ${shard.replace(/\./g, '\\.')} \\| 1 \\| invalid UTF-8`));
    expect(text).not.toContain('\uFFFD');
  });

  test('a plan.json edited after the run (hash kept) is refused by report and compare', async () => {
    const { dir } = validRun();
    const other = validRun().dir;
    const planFile = path.join(dir, 'plan.json');
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { steps: { requests?: number }[] };
    const burst = plan.steps.find((s) => s.requests !== undefined)!;
    burst.requests = burst.requests! + 1000;
    writeFileSync(planFile, JSON.stringify(plan, null, 2));
    expectOneLineRefusal(await report(dir), /plan\.json: its content does not match its hash [0-9a-f]{12}/);
    const c = capture();
    const code = await main(['compare', other, dir], c.io);
    expectOneLineRefusal({ code, err: c.err.join('\n') }, /plan\.json: its content does not match its hash/);
  });

  test('an intact plan is said to be checked, in the report and in compare', async () => {
    const a = validRun().dir;
    const b = validRun().dir;
    const result = await report(a, '--json');
    const written = JSON.parse(result.out) as { reportPath: string };
    expect(readFileSync(written.reportPath, 'utf8')).toMatch(/plan\.json matches its hash \(checked\)/);
    const c = capture();
    expect(await main(['compare', a, b], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/same plan \([0-9a-f]{12}; every plan\.json checked against its hash\)/);
  });
});

describe('--out is checked before anything is read or started', () => {
  test('report --out naming a file', async () => {
    const { dir } = validRun();
    const file = path.join(tmp(), `a-file-${counter}`);
    writeFileSync(file, 'x');
    expectOneLineRefusal(await report(dir, '--out', file), /--out: .*is a file, not a directory/);
  });

  test('report --out in a place that cannot be written', async () => {
    const { dir } = validRun();
    expectOneLineRefusal(await report(dir, '--out', '/proc/curtain-report'), /--out: \/proc\/curtain-report: cannot be created/);
  });

  test('run --out naming a file: refused before the platform starts (no scratch directory, no run directory)', async () => {
    const file = path.join(tmp(), `run-out-file-${counter}`);
    writeFileSync(file, 'x');
    const c = capture();
    const code = await main(['run', 'coldstart', '--set', 'rounds=1', '--out', file], c.io);
    expectOneLineRefusal({ code, err: c.err.join('\n') }, /--out: .*is a file, not a directory/);
    expect(existsSync(path.join(file, 'coldstart'))).toBe(false);
  });
});
