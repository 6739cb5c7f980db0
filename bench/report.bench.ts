/**
 * `npm run bench report`: the analysis quality bar (architecture brief): a report over
 * 1,000,000 records takes ≤ 2× a bare line-by-line JSON.parse pass over the same files,
 * measured in the same run, with peak RSS ≤ 1 GB.
 *
 * A synthetic coldstart run of 1,000,000 records (test/analysis/synthetic/large-coldstart-run.ts)
 * is written to a temporary directory. Then, alternating, each in a fresh child process so each
 * has its own peak RSS:
 *   baseline  every shard read line by line (the same chunked reader the loader uses) and
 *             JSON.parse'd, nothing else;
 *   report    writeReport(): the same reading plus schema validation of every line, plan checks,
 *             bookkeeping, the coldstart analysis, host inference, statistics, figures, files.
 * Each phase runs REPEATS times; the medians give the ratio. Set CURTAIN_BENCH_RECORDS to
 * change the size (e.g. 100000 for a quick look).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TARGET_RATIO = 2;
const TARGET_RSS_MB = 1024;
const REPEATS = 3;

interface PhaseResult {
  ms: number;
  /** CPU time of the phase (user + system, all threads): less sensitive than wall time to other load on the machine. */
  cpuMs: number;
  maxRssMb: number;
  lines: number;
}

async function phase(kind: string, runDir: string): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let lines = 0;
  if (kind === 'baseline') {
    const { openRun } = await import('../analysis/run/run-files');
    const { forEachLine } = await import('../analysis/run/line-reader');
    const run = await openRun(runDir);
    let sink = 0;
    for (const shard of run.shards) {
      await forEachLine(shard.path, (text) => {
        lines += 1;
        sink += (JSON.parse(text) as { request: number }).request;
      });
    }
    if (sink < 0) console.error('unreachable');
  } else {
    const { writeReport } = await import('../analysis');
    const result = await writeReport(runDir, { outDir: path.join(runDir, 'bench-report') });
    if (result.malformedLines !== 0) throw new Error(`${result.malformedLines} malformed lines in the benchmark run`);
    lines = result.summary.records.total;
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const result: PhaseResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, lines };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runPhase(kind: string, runDir: string): PhaseResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--phase', kind, runDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${kind} phase failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as PhaseResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const records = Number(process.env.CURTAIN_BENCH_RECORDS ?? 1_000_000);
  // 8 functions; each round: 50 cold + 950 warm requests per function = 8,000 records.
  const rounds = Math.max(1, Math.round(records / 8000));
  const root = mkdtempSync(path.join(os.tmpdir(), 'curtain-report-bench-'));
  try {
    const { writeLargeColdstartRun } = await import('../test/analysis/synthetic/large-coldstart-run');
    const started = performance.now();
    const { dir, records: written } = await writeLargeColdstartRun(root, { rounds, coldPerFunction: 50, warmPerFunction: 950, hosts: 2000 }, (n) => {
      if (n % 250_000 === 0) console.log(`  generated ${n.toLocaleString('en-US')} records`);
    });
    const bytes = Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]);
    console.log(`synthetic coldstart run: ${written.toLocaleString('en-US')} records, ${(bytes / 1e6).toFixed(0)} MB, written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const baseline: PhaseResult[] = [];
    const report: PhaseResult[] = [];
    runPhase('baseline', dir); // warm the page cache so neither phase pays for the first read
    for (let i = 0; i < REPEATS; i++) {
      baseline.push(runPhase('baseline', dir));
      report.push(runPhase('report', dir));
      console.log(`  round ${i + 1}: baseline ${(baseline[i]!.ms / 1000).toFixed(2)} s, report ${(report[i]!.ms / 1000).toFixed(2)} s`);
    }
    if (baseline.some((b) => b.lines !== written) || report.some((r) => r.lines !== written)) throw new Error('a phase did not read every record');
    const b = median(baseline.map((x) => x.ms));
    const r = median(report.map((x) => x.ms));
    const rss = Math.max(...report.map((x) => x.maxRssMb));
    const ratio = r / b;
    console.log(`baseline (line-by-line JSON.parse)  median ${(b / 1000).toFixed(2)} s  (${((written / b) * 1000).toFixed(0)} records/s), peak RSS ${median(baseline.map((x) => x.maxRssMb)).toFixed(0)} MB`);
    console.log(`report (writeReport, coldstart)     median ${(r / 1000).toFixed(2)} s  (${((written / r) * 1000).toFixed(0)} records/s), peak RSS ${rss.toFixed(0)} MB`);
    console.log(`ratio report / baseline: ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO})  ${ratio <= TARGET_RATIO ? 'ok' : 'OVER TARGET'}`);
    const cpuRatio = median(report.map((x) => x.cpuMs)) / median(baseline.map((x) => x.cpuMs));
    console.log(`  (CPU time: baseline ${(median(baseline.map((x) => x.cpuMs)) / 1000).toFixed(2)} s, report ${(median(report.map((x) => x.cpuMs)) / 1000).toFixed(2)} s, ratio ${cpuRatio.toFixed(2)}; per round wall ratios ${report.map((x, i) => (x.ms / baseline[i]!.ms).toFixed(2)).join(', ')})`);
    console.log(`peak RSS of the report: ${rss.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB} MB)  ${rss <= TARGET_RSS_MB ? 'ok' : 'OVER TARGET'}`);
    process.exitCode = ratio <= TARGET_RATIO && rss <= TARGET_RSS_MB ? 0 : 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const phaseIndex = process.argv.indexOf('--phase');
if (phaseIndex >= 0) {
  phase(process.argv[phaseIndex + 1]!, process.argv[phaseIndex + 2]!).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
