import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun, writeReport } from '../../analysis';
import { forEachLine } from '../../analysis/run/line-reader';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** A scalability run whose first burst's shard carries every kind of bad line after its 5 good records. */
function runWithBadLines() {
  const plan = catalogPlan('scalability', 'aws', { step: 5, maxConcurrency: 10 });
  const run = new SyntheticRun(plan);
  const host = run.host();
  const [first, second] = run.bursts('level');
  const records = Array.from({ length: first!.requests }, (_, r) => run.record(first!, r, { instance: run.instance(host) }));
  for (let r = 0; r < second!.requests - 1; r++) run.record(second!, r, { instance: run.instance(host) }); // the last request has no record
  const good = records[0]!;
  run.appendRaw(
    first!,
    0,
    [
      'not json at all',
      '',
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, status: 'weird' }),
      JSON.stringify({ ...good, planHash: 'b'.repeat(64) }),
      JSON.stringify({ ...good, step: second!.index, stepId: second!.id }),
      JSON.stringify({ ...good, request: 99 }),
      `${JSON.stringify(records[1])}\r`, // a CRLF line is a good line, and a duplicate of request 1
      '',
    ].join('\n') + JSON.stringify(good).slice(0, 40), // the writer stopped mid-record
  );
  return run;
}

describe('streaming loader', () => {
  test('malformed and truncated lines are listed with file, line and reason, and skipped', async () => {
    const a = await analyzeRun(runWithBadLines().write(tmp()));
    const file = 'steps/0001-burst-level/000.jsonl';
    expect(a.stream.malformedLines.map((m) => [m.file, m.line])).toEqual([6, 7, 8, 9, 10, 11, 12, 14].map((line) => [file, line]));
    const reasons = a.stream.malformedLines.map((m) => m.reason);
    expect(reasons[0]).toMatch(/^invalid JSON/);
    expect(reasons[1]).toBe('empty line');
    expect(reasons[2]).toMatch(/unknown record version 2/);
    expect(reasons[3]).toMatch(/^not an InvocationRecord: status: /);
    expect(reasons[4]).toMatch(/belongs to plan bbbbbbbbbbbb/);
    expect(reasons[5]).toMatch(/record of step "0003-burst-level" in the shard of step "0001-burst-level"/);
    expect(reasons[6]).toMatch(/request 99 is beyond the step's 5 requests/);
    expect(reasons[7]).toMatch(/^truncated line \(the file ends without a newline\)/);
    expect(a.stream.malformed).toBe(8);
    expect(a.stream.records).toBe(5 + 1 + 9);
    expect(a.ledger.duplicated).toBe(1);
    expect(a.ledger.missing).toBe(1);
    expect(a.ledger.incompleteSteps.map((s) => s.stepId)).toEqual(['0001-burst-level', '0003-burst-level']);
    // The good records still count: both levels are analysed.
    expect(a.metrics.get('scalability.maxInstances')!.value).toBe(9);
  });

  test('the report and the log list the malformed lines', async () => {
    const log: string[] = [];
    const result = await writeReport(runWithBadLines().write(tmp()), { outDir: path.join(tmp(), 'bad-report'), log: (l) => log.push(l) });
    expect(result.malformedLines).toBe(8);
    expect(log.filter((l) => l.startsWith('malformed line steps/0001-burst-level/000.jsonl:')).length).toBe(8);
    const report = readFileSync(result.reportPath, 'utf8');
    expect(report).toContain('**8 malformed line(s)**');
    expect(report).toContain('| steps/0001-burst-level/000.jsonl | 14 | truncated line');
    expect(report).toContain('**Incomplete:** 1 planned request(s) have no record and 1 have more than one.');
    expect(result.summary.malformed.count).toBe(8);
  });

  test('line reader: chunk boundaries inside multi-byte characters and lines longer than a chunk', async () => {
    const file = path.join(tmp(), 'lines.txt');
    const long = 'é'.repeat(700_000); // 1.4 MB: longer than one 1 MiB chunk, with 2-byte characters across the boundary
    require('node:fs').writeFileSync(file, `a\n${long}\nlast`);
    const seen: [string, number, boolean][] = [];
    await forEachLine(file, (text, n, terminated) => seen.push([text.length === long.length ? 'long' : text, n, terminated]));
    expect(seen).toEqual([
      ['a', 1, true],
      ['long', 2, true],
      ['last', 3, false],
    ]);
  });

  test('a directory that is not a run is one clear error', async () => {
    await expect(analyzeRun(path.join(tmp(), 'nowhere'))).rejects.toThrow(/not a run directory/);
    const dir = path.join(tmp(), 'no-plan');
    require('node:fs').mkdirSync(dir);
    await expect(analyzeRun(dir)).rejects.toThrow(/plan\.json: missing/);
    const runDir = runWithBadLines().write(path.join(tmp(), 'results'));
    await expect(analyzeRun(path.dirname(runDir))).rejects.toThrow(/plan\.json: missing: .*; runs found below it: .*20261126T120000Z-synth/);
    require('node:fs').writeFileSync(path.join(dir, 'plan.json'), '{"schemaVersion": 1}');
    await expect(analyzeRun(dir)).rejects.toThrow(/plan\.json: not a valid plan: study: required/);
  });
});

test('bad run.json is reported, not fatal', async () => {
  const run = runWithBadLines();
  const dir = run.write(tmp());
  require('node:fs').writeFileSync(path.join(dir, 'run.json'), '{"v": 1}');
  const a = await analyzeRun(dir);
  expect(a.files.notes.join('\n')).toMatch(/run\.json was ignored: .*not a valid run manifest/);
  expect(readFileSync(path.join(dir, 'plan.json'), 'utf8')).toContain('"scalability"');
});
