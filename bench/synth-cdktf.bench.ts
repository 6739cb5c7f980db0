/**
 * Synthesis of every catalog study for Google and Azure (CDK for Terraform,
 * in-process, real bundles, cold staging directory) against the bar of 60 s on
 * this machine, with an empty cdktf stack synthesized in the same run as the
 * baseline the ratio is printed against.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { buildCdktfApp } from '../stacks/cdktf/build-app';
import { cdktfTargets } from '../targets/registry';

const targets = cdktfTargets();

const TARGET_SECONDS = 60;
const root = path.resolve(__dirname, '..');

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function main(): Promise<void> {
  await ensureRuntimeBuilt({ root, log: (line) => console.log(line) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-bench-cdktf-'));
  try {
    const baseline = timed(() => {
      const app = new App({ outdir: path.join(work, 'empty') });
      new TerraformStack(app, 'empty');
      app.synth();
    });
    const cpuBefore = process.cpuUsage();
    const full = timed(() => {
      const built = buildCdktfApp({ outdir: path.join(work, 'all'), env: {}, targets, bundleRoot: root, stagingRoot: path.join(work, 'staging') });
      built.app.synth();
      return built;
    });
    const cpu = process.cpuUsage(cpuBefore);
    const stacks = full.value.stacks.length;
    const seconds = full.ms / 1000;
    console.log(`empty cdktf stack synth (baseline): ${baseline.ms.toFixed(0)} ms`);
    console.log(`every catalog study × {${targets.map((t) => t.id).join(', ')}}: ${stacks} stacks in ${seconds.toFixed(1)} s (${(full.ms / stacks).toFixed(0)} ms per stack)`);
    // A loaded machine stretches wall time; the CPU time of this process shows how much was our own work.
    console.log(`  CPU time of the synthesizing process: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
    for (const line of full.value.skipped) console.log(`  ${line}`);
    console.log(`ratio to the empty stack: ${(full.ms / baseline.ms).toFixed(1)}×; per stack: ${(full.ms / stacks / baseline.ms).toFixed(1)}×`);
    console.log(`target ≤ ${TARGET_SECONDS} s: ${seconds <= TARGET_SECONDS ? 'met' : 'MISSED'} (${((seconds / TARGET_SECONDS) * 100).toFixed(0)} % of the budget)`);
    if (seconds > TARGET_SECONDS) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
