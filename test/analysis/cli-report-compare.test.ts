import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReportSummary } from '../../analysis/report/summary-schema';
import { main } from '../../cli/main';
import { coldstartRun as syntheticColdstartRun } from './synthetic/figure-runs';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();
const root = path.resolve(__dirname, '../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTty: false, cwd: tmp() }, out, err };
}

/** A small coldstart run on the local platform with warm latencies around `warmMs`, written under tmp. */
function coldstartRun(runId: string, warmMs: number, seed: number): string {
  return syntheticColdstartRun(runId, warmMs, seed).write(path.join(tmp(), 'results'));
}

describe('curtain report', () => {
  test('writes report.md, SVG figures and a valid summary.json; says the platform is emulated', async () => {
    const dir = coldstartRun('20261126T120000Z-a', 25, 1);
    const c = capture();
    expect(await main(['report', dir, '--out', 'out-a'], c.io)).toBe(0);
    const out = path.join(tmp(), 'out-a');
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('**Emulated platform.**');
    expect(report).toContain('profile `aws-2018`');
    expect(report).toContain('20× faster than real time');
    expect(report).toMatch(/\| Median warm start latency on AWS was about 25 ms .* \| P \| ≈ 25 ms \(±50 %\) \| .* \| \*\*consistent\*\*/);
    const summary = ReportSummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    expect(summary.platform).toMatchObject({ emulated: true, profile: 'aws-2018', modelled: 'aws', timeScale: 20 });
    expect(summary.figures.length).toBe(2);
    for (const f of summary.figures) {
      const svg = readFileSync(path.join(out, f.file), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('latency');
      expect(report).toContain(`](${f.file})`);
    }
    expect(c.out.join('\n')).toMatch(/claims: 2 consistent, 0 differs, 0 by construction, 0 machine-limited, 0 insufficient evidence, 1 not measurable here/);
    expect(c.err.join('\n')).toMatch(/48 records, 0 malformed line\(s\)/);
  });

  test('not a run directory: one line, exit 1, no stack trace', async () => {
    const c = capture();
    expect(await main(['report', 'missing-dir'], c.io)).toBe(1);
    expect(c.err).toEqual([expect.stringMatching(/^curtain: \/.*\/missing-dir: not a run directory/)]);
  });

  test('end to end through bin/curtain.js (tsx, vega loaded from CommonJS)', () => {
    const dir = coldstartRun('20261126T120000Z-b', 25, 2);
    const result = spawnSync(process.execPath, [path.join(root, 'bin/curtain.js'), 'report', dir, '--json'], { encoding: 'utf8', cwd: root });
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { figures: string[]; claims: { id: string; verdict: string }[] };
    expect(parsed.figures.every((f) => existsSync(f))).toBe(true);
    expect(parsed.claims.find((c) => c.id === 'aws-warm-median')!.verdict).toBe('consistent');
  });
});

type ComparisonJson = {
  v: number;
  samePlan: boolean | null;
  counts: { equivalent: number; different: number; inconclusive: number };
  a: { label: string; emulated: boolean; profile: string | null }[];
  b: { label: string; emulated: boolean; profile: string | null }[];
  notes: string[];
  metrics: {
    name: string;
    verdict: string;
    reason: string;
    estimate: number | null;
    interval: [number, number] | null;
    basis: string | null;
    df: number | null;
    a: { runs: number; n: number[] };
    margin: { kind: string; within?: number; source: string } | null;
  }[];
};

async function compareJson(args: string[]): Promise<{ rc: number; json: ComparisonJson | null; err: string }> {
  const c = capture();
  const rc = await main(['compare', ...args, '--json'], c.io);
  return { rc, json: rc === 0 ? (JSON.parse(c.out.join('')) as ComparisonJson) : null, err: c.err.join('\n') };
}

const metric = (json: ComparisonJson, name: string) => json.metrics.find((m) => m.name === name)!;

describe('curtain compare', () => {
  test('the same ground truth is equivalent at the margin; a slower warm path is different, with the ratio and its interval', async () => {
    const a = coldstartRun('20261126T120000Z-c', 25, 3);
    const same = coldstartRun('20261126T120000Z-d', 25, 4);
    const slow = coldstartRun('20261126T120000Z-e', 60, 5);
    const { json: agree } = await compareJson([a, same]);
    expect(agree!.v).toBe(2);
    expect(agree!.samePlan).toBe(true);
    for (const name of ['coldstart.warmMedianMs', 'coldstart.coldMedianMs']) {
      expect(metric(agree!, name)).toMatchObject({ verdict: 'equivalent', basis: 'sampling', margin: { kind: 'ratio', within: 0.25, source: 'declared' } });
    }
    expect(agree!.counts.different).toBe(0);

    const c2 = capture();
    expect(await main(['compare', a, slow, '--out', 'cmp'], c2.io)).toBe(0);
    const json = JSON.parse(readFileSync(path.join(tmp(), 'cmp', 'compare.json'), 'utf8')) as ComparisonJson;
    const warm = metric(json, 'coldstart.warmMedianMs');
    expect(warm.verdict).toBe('different');
    expect(warm.estimate!).toBeGreaterThan(2.2); // 60 / 25
    expect(warm.interval![0]).toBeGreaterThan(1.25);
    expect(warm.reason).toMatch(/beyond ratio 0\.8–1\.25 \(±25 %\) \(p [<=] .*, Holm-adjusted p [<=] .* ≤ 0\.05\)/);
    expect(metric(json, 'coldstart.coldMedianMs').verdict).toBe('equivalent');
    const md = readFileSync(path.join(tmp(), 'cmp', 'compare.md'), 'utf8');
    // Latencies are the platform's part (issue 17): round trips of ~25 and ~60 ms minus the synthetic probe's 5 ms handler time.
    expect(md).toMatch(/\| `coldstart\.warmMedianMs` \| 2\d(\.\d)? ms \| 5\d(\.\d)? ms \| 24; 24 \| ×2\.\d+ \|/);
    expect(md).toContain('**Not replicated**');
    expect(md).toMatch(/\| `coldstart\.warmMedianMs` \| ratio 0\.8–1\.25 \(±25 %\) \| analysis registry \| latency medians/);
    expect(c2.out.join('')).toContain('**different**');
  });

  test('a margin from the command line replaces the declared one, and the report says so', async () => {
    const a = coldstartRun('20261126T120000Z-m1', 25, 13);
    const slow = coldstartRun('20261126T120000Z-m2', 60, 14);
    const { json } = await compareJson([a, slow, '--margin', 'coldstart.warmMedianMs=300%']);
    expect(metric(json!, 'coldstart.warmMedianMs')).toMatchObject({ verdict: 'equivalent', margin: { kind: 'ratio', within: 3, source: 'override' } });
    // The override covers the names below it.
    expect(metric(json!, 'coldstart.warmMedianMs.m128').margin).toMatchObject({ source: 'override' });
    const c = capture();
    expect(await main(['compare', a, slow, '--margin', 'coldstart.warmMedianMs=300%'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/\| `coldstart\.warmMedianMs` \| ratio 0\.25–4 \(±300 %\) \| --margin \| set on the command line/);
  });

  test('replicates per side: run-to-run variance on runs − 2 degrees of freedom, labels A1, A2, B1, B2', async () => {
    const runs = [31, 32, 33, 34].map((seed, i) => coldstartRun(`20261126T120000Z-r${i}`, 25, seed));
    const { rc, json } = await compareJson(['--a', runs[0]!, runs[1]!, '--b', runs[2]!, runs[3]!]);
    expect(rc).toBe(0);
    expect(json!.a.map((r) => r.label)).toEqual(['A1', 'A2']);
    expect(json!.b.map((r) => r.label)).toEqual(['B1', 'B2']);
    const warm = metric(json!, 'coldstart.warmMedianMs');
    expect(warm).toMatchObject({ basis: 'replicates', df: 2, a: { runs: 2, n: [24, 24] } });
    expect(warm.verdict).not.toBe('different');
    expect(json!.notes.join('\n')).not.toMatch(/One run per side/);
    // Equals form and --b before --a work too.
    const swapped = await compareJson(['--b', runs[2]!, runs[3]!, `--a=${runs[0]!}`, runs[1]!]);
    expect(swapped.json!.a.map((r) => r.label)).toEqual(['A1', 'A2']);
  });

  test('a cloud run against a local run of the same definition: compared, and the notes say what differs', async () => {
    const local = coldstartRun('20261126T120000Z-g', 25, 7);
    const plan = catalogPlan('coldstart', 'aws', { rounds: 6, memoryMb: [128, 512], runtimes: ['nodejs'] });
    const cloud = new SyntheticRun(plan, { runId: '20261126T120000Z-h', seed: 8 });
    cloud.bursts('cold').forEach((step, round) => {
      const instances = Array.from({ length: step.requests }, (_, r) => {
        const instance = cloud.instance(cloud.host());
        cloud.record(step, r, { instance, latencyMs: cloud.uniform(200, 300) });
        return instance;
      });
      instances.forEach((instance, r) => cloud.record(cloud.burst('warm', round), r, { instance, latencyMs: cloud.uniform(20, 30) }));
    });
    const { json } = await compareJson([cloud.write(path.join(tmp(), 'results')), local]);
    expect(json!.a[0]!.emulated).toBe(false);
    expect(json!.b[0]).toMatchObject({ emulated: true, profile: 'aws-2018' });
    expect(json!.samePlan).toBe(false);
    expect(json!.notes.join('\n')).toMatch(/Side A ran on aws us-east-1; side B on the emulated local platform \(profile aws-2018, time scale 20\)/);
    expect(json!.notes.join('\n')).toMatch(/same study definition, planned for different targets/);
    expect(metric(json!, 'coldstart.warmMedianMs').verdict).toBe('equivalent');
  });

  test('a plan.json edited after the run (hash kept) is caught: the comparison is refused, naming the file, before any run is analysed', async () => {
    const a = coldstartRun('20261126T120000Z-p1', 25, 21);
    const b = coldstartRun('20261126T120000Z-p2', 25, 22);
    const planFile = path.join(b, 'plan.json');
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { invocations: number };
    writeFileSync(planFile, JSON.stringify({ ...plan, invocations: plan.invocations + 1 }));
    const c = capture();
    expect(await main(['compare', a, b, '--json'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/plan\.json: its content does not match its hash [0-9a-f]{12}… \(it was edited after the run\): refused/);
    expect(c.err.join('\n')).not.toMatch(/^reading /m);
  });

  test('malformed lines are listed in the comparison, and the log says where', async () => {
    const plan = catalogPlan('coldstart', 'local', { rounds: 6, memoryMb: [128, 512], runtimes: ['nodejs'] });
    const run = new SyntheticRun(plan, { runId: '20261126T120000Z-x', profile: 'aws-2018', timeScale: 20, seed: 40 });
    run.bursts('cold').forEach((step) => Array.from({ length: step.requests }, (_, r) => run.record(step, r, { instance: run.instance(run.host()) })));
    const step = run.burst('warm');
    for (let i = 0; i < 25; i++) run.appendRaw(step, 0, `{"not":"a record ${i}"}\n`);
    const bad = run.write(path.join(tmp(), 'results'));
    const good = coldstartRun('20261126T120000Z-y', 25, 41);
    const c = capture();
    expect(await main(['compare', good, bad], c.io)).toBe(0);
    const err = c.err.join('\n');
    expect(err).toMatch(/… 5 more malformed line\(s\); all are listed in the comparison \(Malformed lines\)/);
    expect(err).not.toMatch(/listed in the report/);
    const md = c.out.join('');
    expect(md).toMatch(/Run B has 25 malformed line\(s\), skipped \(listed under "Malformed lines"\)/);
    expect(md).toMatch(/## Malformed lines\n\nRun B \(`.*`\):\n\n\| file \| line \| reason \|/);
    expect(md.match(/\| steps\/[^|]+\/000\.jsonl \| \d+ \| /g)).toHaveLength(25);
  });

  test('refused: runs of different studies, a run given twice, a side mixing plans, bad options; one message each', async () => {
    const a = coldstartRun('20261126T120000Z-f', 25, 6);
    const plan = catalogPlan('scalability', 'aws', { step: 5, maxConcurrency: 5 });
    const other = new SyntheticRun(plan);
    other.record(other.burst('level'), 0, { instance: other.instance(other.host()) });
    const refused = async (args: string[], message: RegExp) => {
      const c = capture();
      expect(await main(['compare', ...args], c.io)).toBe(1);
      expect(c.err.join('\n')).toMatch(message);
      expect(c.err.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
    };
    await refused([a, other.write(path.join(tmp(), 'results'))], /is a run of study "scalability", .* of "coldstart": only runs of one study can be compared/);
    await refused([a], /expected two run directories \(or --a RUN \.\.\. --b RUN \.\.\.\), got 1/);
    await refused([a, a], /is given twice \(also as .*\): a run is not a replicate of itself/);
    const otherPlan = (() => {
      const p = catalogPlan('coldstart', 'local', { rounds: 5, memoryMb: [128, 512], runtimes: ['nodejs'] });
      const r = new SyntheticRun(p, { runId: '20261126T120000Z-o', profile: 'aws-2018', seed: 9 });
      r.bursts('cold').forEach((step) => Array.from({ length: step.requests }, (_, i) => r.record(step, i, { instance: r.instance(r.host()) })));
      return r.write(path.join(tmp(), 'results'));
    })();
    const b = coldstartRun('20261126T120000Z-f2', 25, 16);
    await refused(['--a', a, otherPlan, '--b', b], /ran plan [0-9a-f]{12}, but .* \(A1\) ran [0-9a-f]{12}: the runs of one side must be replicates of one plan/);
    await refused(['--a', a, '--b'], /--b/);
    await refused(['--a', a, b], /--b names no run/);
    await refused([a, '--a', b, '--b', otherPlan], /belongs to no side/);
    await refused([a, b, '--margin', 'warm=10%'], /--margin: "warm=10%" is not NAME=VALUE/);
    await refused([a, b, '--margin', 'coldstart.warmMedianMs=fast'], /not a margin/);
    await refused([a, b, '--margin', 'coldstart.warmMedianM=10%'], /coldstart\.warmMedianM: no metric of this study is named so or below it; did you mean coldstart\.warmMedianMs/);
    await refused([a, b, '--alpha', '0.5'], /--alpha: .*0\.25/);
    await refused([a, b, '--alpha', 'x'], /--alpha/);
  });
});
