/**
 * `npm run bench twin-vs-local`: `curtain run coldstart --set rounds=1` on each
 * registered twin (`--target <provider>`, targets/registry.ts) against the
 * embedded platform (`--target local`), back to back, as a user runs them (the
 * CLI in a fresh process each time, the report included). Target (issue 11):
 * each twin ≤ 3× local. They alternate, ROUNDS times each, so machine load
 * affects all alike; medians of wall time are compared (a twin run is mostly
 * waiting on its emulators and processes, so wall time is what the user
 * feels). For each twin, the time at which each of its progress lines appeared
 * shows where the time goes. BENCH_TWINS=aws,... limits the twins measured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_TARGETS } from '../targets/registry';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET_RATIO = 3;
const root = path.resolve(__dirname, '..');
const args = (target: string, out: string) => [path.join(root, 'bin', 'curtain.js'), 'run', 'coldstart', '--set', 'rounds=1', '--target', target, '--out', out];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Timed {
  seconds: number;
  /** Each stderr line with the seconds since the start at which it appeared. */
  lines: { at: number; text: string }[];
}

function runOnce(target: string, out: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const lines: Timed['lines'] = [];
    const child = spawn(process.execPath, args(target, out), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) lines.push({ at: (performance.now() - began) / 1000, text: line });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`curtain run --target ${target} exited ${code}:\n${lines.map((l) => l.text).join('\n')}`));
      else resolve({ seconds: (performance.now() - began) / 1000, lines });
    });
  });
}

async function main(): Promise<void> {
  const wanted = process.env.BENCH_TWINS?.split(',');
  const baseline = RUN_TARGETS.find((t) => t.deployment.kind === 'embedded')!.id;
  const twins = RUN_TARGETS.filter((t) => t.twin !== undefined && (!wanted || wanted.includes(t.id))).map((t) => t.id);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'curtain-bench-twin-'));
  try {
    const times = new Map<string, number[]>();
    const last = new Map<string, Timed>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of [baseline, ...twins]) {
        const timed = await runOnce(target, path.join(scratch, `${target}-${round}`));
        times.set(target, [...(times.get(target) ?? []), timed.seconds]);
        last.set(target, timed);
        console.log(`round ${round + 1}: --target ${target} ${timed.seconds.toFixed(1)} s`);
      }
    }
    const local = median(times.get(baseline)!);
    console.log(`\nmedian wall time: ${baseline} ${local.toFixed(1)} s`);
    for (const twin of twins) {
      const ratio = median(times.get(twin)!) / local;
      console.log(`  ${twin} twin ${median(times.get(twin)!).toFixed(1)} s, ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×): ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`);
    }
    for (const twin of twins) {
      console.log(`\nwhere the ${twin} twin run spends its time (seconds since start at which each progress line appeared):`);
      for (const l of last.get(twin)!.lines.slice(0, 40)) console.log(`  ${l.at.toFixed(1).padStart(6)}  ${l.text.slice(0, 140)}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
