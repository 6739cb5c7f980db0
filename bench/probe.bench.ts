/**
 * `npm run bench probe`: the probe's quality bars (docs/architecture brief).
 *
 * 1. Warm fingerprint ≤ 3 ms: collectFingerprint() (every host field, CPU counters, provider ids)
 *    on this machine's /proc after a warm-up; median and p95, the ratio to the 3 ms target, and the
 *    ratio to a baseline measured in the same run (one readFileSync of /proc/stat, the cheapest read
 *    a fingerprint must do). Also the whole probe overhead of a warm noop invocation.
 * 2. Minified bundles ≤ 30 KB: the Node probe bundles of dist/runtime (built first if stale, by the
 *    bundler's ensureRuntimeBuilt), each entry file's size against the limit.
 * 3. Local cold start: spawn → `ready` of the probe-local bundle (and of the Python shim) against a
 *    bare `node` (`python3`) process that prints one line, alternating, same run (target ≤ 1.3×).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { createProbe } from '../probe-runtime/probe/probe';
import { collectFingerprint } from '../probe-runtime/probe/fingerprint';
import { PROBE_BUNDLE_MAX_BYTES, PROBE_NODE_ENTRIES } from '../probe-runtime/probe/bundle-entries';

const ROOT = path.resolve(__dirname, '..');
const FINGERPRINT_TARGET_MS = 3;
const COLD_START_TARGET_RATIO = 1.3;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function timeMany(runs: number, fn: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
let failures = 0;
function verdict(ok: boolean): string {
  if (!ok) failures += 1;
  return ok ? 'ok' : 'OVER TARGET';
}

async function fingerprintBench(): Promise<void> {
  console.log('warm fingerprint (this machine, /proc)');
  timeMany(200, () => collectFingerprint()); // warm-up: JIT, page cache
  const baseline = timeMany(2000, () => readFileSync('/proc/stat', 'utf8'));
  const samples = timeMany(2000, () => collectFingerprint());
  const median = quantile(samples, 0.5);
  const p95 = quantile(samples, 0.95);
  console.log(`  collectFingerprint   median ${fmt(median)}  p95 ${fmt(p95)}  (2000 runs)`);
  console.log(`  baseline read /proc/stat  median ${fmt(quantile(baseline, 0.5))}  → fingerprint = ${(median / quantile(baseline, 0.5)).toFixed(1)}× one read`);
  console.log(`  ratio to the ${FINGERPRINT_TARGET_MS} ms target: median ${(median / FINGERPRINT_TARGET_MS).toFixed(3)}, p95 ${(p95 / FINGERPRINT_TARGET_MS).toFixed(3)}  ${verdict(p95 <= FINGERPRINT_TARGET_MS)}`);

  const probe = createProbe({ env: {} });
  const request = { v: 1, study: 'bench', run: 'r', step: 0, request: 0, attempt: 1, target: 't', task: { name: 'noop' }, barrierAt: null, sentAt: 0 };
  for (let i = 0; i < 200; i++) await probe.handle(request);
  const overheads: number[] = [];
  for (let i = 0; i < 1000; i++) overheads.push((await probe.handle(request)).overheadMs.total);
  overheads.sort((a, b) => a - b);
  console.log(`  warm noop invocation, probe overhead (overheadMs.total)  median ${fmt(quantile(overheads, 0.5))}  p95 ${fmt(quantile(overheads, 0.95))}`);
}

async function bundleBench(): Promise<void> {
  console.log(`\nminified Node probe bundles (limit ${PROBE_BUNDLE_MAX_BYTES} bytes)`);
  const manifest = await ensureRuntimeBuilt({ log: (line) => console.log(`  ${line}`) });
  for (const { bundle } of PROBE_NODE_ENTRIES) {
    const entry = manifest.bundles[bundle];
    if (!entry) {
      console.log(`  ${bundle}: missing from the manifest  ${verdict(false)}`);
      continue;
    }
    const bytes = statSync(path.join(ROOT, entry.dir, entry.entry)).size;
    console.log(
      `  ${bundle.padEnd(12)} ${String(bytes).padStart(6)} B  (dir ${entry.bytes} B)  ratio to limit ${(bytes / PROBE_BUNDLE_MAX_BYTES).toFixed(3)}  ${verdict(bytes <= PROBE_BUNDLE_MAX_BYTES)}`,
    );
  }
}

/** Spawn → first stdout line, in ms. */
function firstLine(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', () => {
      const ms = performance.now() - start;
      child.stdin.end(); // the shim exits when stdin closes; the bare process has exited already
      child.once('exit', () => resolve(ms));
      if (child.exitCode !== null) resolve(ms);
    });
  });
}

async function coldStartBench(): Promise<void> {
  const manifest = await ensureRuntimeBuilt();
  const local = manifest.bundles['probe-local']!;
  const python = manifest.bundles['probe-python']!;
  const env = { PATH: process.env.PATH, CURTAIN_TMP_DIR: '/tmp', PYTHONDONTWRITEBYTECODE: '1' };
  const pairs: Array<[string, string[], string[], string]> = [
    ['node', [path.join(ROOT, local.dir, local.entry)], ['-e', "process.stdout.write('x\\n')"], process.execPath],
    ['python3', [path.join(ROOT, python.dir, python.entry), '--shim'], ['-c', "print('x')"], 'python3'],
  ];
  const runs = 15;
  console.log(`\nlocal cold start: spawn → ready line, against a bare process printing one line (${runs} alternating runs, target ≤ ${COLD_START_TARGET_RATIO}×)`);
  for (const [name, probeArgs, bareArgs, command] of pairs) {
    const probeMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      bareMs.push(await firstLine(command, bareArgs, env));
      probeMs.push(await firstLine(command, probeArgs, env));
    }
    probeMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    const ratio = quantile(probeMs, 0.5) / quantile(bareMs, 0.5);
    const measured = `probe median ${quantile(probeMs, 0.5).toFixed(1)} ms, bare ${name} ${quantile(bareMs, 0.5).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`;
    // The bar is set for the Node probe; Python's figure is reported for information.
    console.log(`  ${name.padEnd(8)} ${measured}${name === 'node' ? `  ${verdict(ratio <= COLD_START_TARGET_RATIO)}` : ''}`);
  }
}

async function main(): Promise<void> {
  await fingerprintBench();
  await bundleBench();
  await coldStartBench();
  process.exit(failures === 0 ? 0 : 1);
}

void main();
