import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ReportSummary } from '../../analysis/report/summary-schema';
import { main } from '../../cli/main';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();
const root = path.resolve(__dirname, '../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTty: false, cwd: tmp() }, out, err };
}

/** A small coldstart run on the local platform with warm latencies around `warmMs`. */
function coldstartRun(runId: string, warmMs: number, seed: number) {
  const plan = catalogPlan('coldstart', 'local', { rounds: 6, memoryMb: [128, 512], runtimes: ['nodejs'] });
  const run = new SyntheticRun(plan, { runId, profile: 'aws-2018', timeScale: 20, seed });
  run.bursts('cold').forEach((step, round) => {
    const instances = Array.from({ length: step.requests }, (_, r) => {
      const instance = run.instance(run.host());
      run.record(step, r, { instance, latencyMs: run.uniform(200, 300) });
      return instance;
    });
    instances.forEach((instance, r) => run.record(run.burst('warm', round), r, { instance, latencyMs: run.uniform(warmMs - 5, warmMs + 5) }));
  });
  return run.write(path.join(tmp(), 'results'));
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

describe('curtain compare', () => {
  test('the same ground truth agrees; a slower warm path differs, with a bootstrap interval of the difference', async () => {
    const a = coldstartRun('20261126T120000Z-c', 25, 3);
    const same = coldstartRun('20261126T120000Z-d', 25, 4);
    const slow = coldstartRun('20261126T120000Z-e', 60, 5);
    const c1 = capture();
    expect(await main(['compare', a, same, '--json'], c1.io)).toBe(0);
    const agree = JSON.parse(c1.out.join('')) as { metrics: { name: string; agreement: string; interval: [number, number] | null; difference: number }[] };
    expect(agree.metrics.find((m) => m.name === 'coldstart.warmMedianMs')!.agreement).toBe('agree');
    expect(agree.metrics.find((m) => m.name === 'coldstart.coldMedianMs')!.agreement).toBe('agree');

    const c2 = capture();
    expect(await main(['compare', a, slow, '--out', 'cmp'], c2.io)).toBe(0);
    const json = JSON.parse(readFileSync(path.join(tmp(), 'cmp', 'compare.json'), 'utf8')) as typeof agree;
    const warm = json.metrics.find((m) => m.name === 'coldstart.warmMedianMs')!;
    expect(warm.agreement).toBe('differ');
    expect(warm.difference).toBeGreaterThan(30);
    expect(warm.interval![0]).toBeGreaterThan(25);
    expect(warm.interval![1]).toBeLessThan(45);
    expect(readFileSync(path.join(tmp(), 'cmp', 'compare.md'), 'utf8')).toContain('| `coldstart.warmMedianMs` |');
    expect(c2.out.join('')).toContain('**differ**');
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
    const c = capture();
    expect(await main(['compare', cloud.write(path.join(tmp(), 'results')), local, '--json'], c.io)).toBe(0);
    const json = JSON.parse(c.out.join('')) as { a: { emulated: boolean }; b: { emulated: boolean; profile: string }; notes: string[]; metrics: { name: string; agreement: string }[] };
    expect(json.a.emulated).toBe(false);
    expect(json.b).toMatchObject({ emulated: true, profile: 'aws-2018' });
    expect(json.notes.join('\n')).toMatch(/Run A ran on aws us-east-1; run B on the emulated local platform \(profile aws-2018, time scale 20\)/);
    expect(json.notes.join('\n')).toMatch(/same study definition, planned for different targets/);
    expect(json.metrics.find((m) => m.name === 'coldstart.warmMedianMs')!.agreement).toBe('agree');
  });

  test('runs of different studies are refused with one message', async () => {
    const a = coldstartRun('20261126T120000Z-f', 25, 6);
    const plan = catalogPlan('scalability', 'aws', { step: 5, maxConcurrency: 5 });
    const other = new SyntheticRun(plan);
    other.record(other.burst('level'), 0, { instance: other.instance(other.host()) });
    const c = capture();
    expect(await main(['compare', a, other.write(path.join(tmp(), 'results'))], c.io)).toBe(1);
    expect(c.err.pop()).toMatch(/is a run of study "scalability", .* of "coldstart": only runs of one study can be compared/);
    const usage = capture();
    expect(await main(['compare', a], usage.io)).toBe(1);
    expect(usage.err[0]).toMatch(/expected two run directories, got 1/);
  });
});
