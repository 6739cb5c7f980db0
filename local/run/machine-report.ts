/**
 * This machine during a local run, for the analysis to judge latencies by
 * (run.json `local.machine`, docs/analysis.md "Verdicts"):
 *
 * - its floor: the time a bare interpreter takes from spawn to its first output, and an
 *   HTTP round trip over a fresh loopback connection to a relay (a server process that passes
 *   the request over a pipe to a second process and back: the platform's path without the
 *   platform), each measured as a burst of the plan's widest concurrency (28 processes starting at once on two
 *   cores take far longer than one). No emulated latency can come out below what these cost
 *   here. Measured once before and once after the run, so a machine that got busier
 *   meanwhile shows in the median; only for plans whose analysis reports latencies;
 * - its load: the one-minute load average sampled through the run, and the fraction of all
 *   cores busy between its start and end (/proc/stat).
 */
import { spawn } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Runtime } from '../../experiments/schema';
import { type MachineReport, RunManifest } from '../../probe-runtime/contracts/run-manifest';
import type { RuntimeCommands } from '../instances/runtime-commands';

/** The widest floor burst: enough to show contention, bounded so that measuring stays cheap. */
export const MAX_FLOOR_CONCURRENCY = 32;

export interface FloorSamples {
  processStartMs: Partial<Record<Runtime, number[]>>;
  loopbackRoundTripMs: number[];
}

/** `concurrency` bare starts of each runtime's interpreter at once, then as many loopback round trips at once. */
export async function measureFloor(commands: RuntimeCommands, runtimes: readonly Runtime[], concurrency: number): Promise<FloorSamples> {
  const out: FloorSamples = { processStartMs: {}, loopbackRoundTripMs: [] };
  const n = Math.max(1, Math.min(MAX_FLOOR_CONCURRENCY, concurrency));
  for (const runtime of runtimes) {
    const command = commands[runtime];
    if (!command) continue;
    const args = runtime === 'nodejs' ? ['-e', 'process.stdout.write("r")'] : ['-c', 'import sys; sys.stdout.write("r")'];
    out.processStartMs[runtime] = await Promise.all(Array.from({ length: n }, () => timeProcessStart(command.command, args)));
  }
  out.loopbackRoundTripMs = await timeLoopbackRoundTrips(n);
  return out;
}

function timeProcessStart(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstOutput: number | null = null;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => (firstOutput = performance.now()));
    child.once('error', reject);
    child.once('close', () => (firstOutput === null ? reject(new Error(`${command} printed nothing`)) : resolve(firstOutput - started)));
  });
}

/**
 * The platform's request path without the platform: a server process answers HTTP on
 * loopback by relaying each request over a pipe to a second process and back (as the front
 * door relays to an instance's shim). Timed from a fresh connection to the response's end.
 */
const RELAY_SCRIPT = `
const { spawn } = require('node:child_process');
const http = require('node:http');
const echo = spawn(process.execPath, ['-e', "process.stdin.pipe(process.stdout)"], { stdio: ['pipe', 'pipe', 'ignore'] });
const waiting = new Map();
let buffered = '';
echo.stdout.setEncoding('utf8').on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\\n')) >= 0) {
    const id = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    waiting.get(id)?.();
    waiting.delete(id);
  }
});
let next = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    const id = String(next++);
    waiting.set(id, () => res.end('{}'));
    echo.stdin.write(id + '\\n');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.once('end', () => { echo.kill(); process.exit(0); });
process.stdin.resume();
`;

async function timeLoopbackRoundTrips(concurrency: number): Promise<number[]> {
  const relay = spawn(process.execPath, ['-e', RELAY_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      relay.once('error', reject);
      relay.stdout.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim())));
    });
    const roundTrip = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        // A fresh connection per request, as the driver makes.
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
          res.resume();
          res.once('end', () => resolve(performance.now() - started));
        });
        req.once('error', reject);
        req.end('{}');
      });
    await roundTrip(); // untimed: waits for the echo process to be up, as an instance is before its warm requests
    return await Promise.all(Array.from({ length: concurrency }, roundTrip));
  } finally {
    // Closing its stdin ends the relay and its echo process; SIGKILL if it is still there.
    relay.stdin.end();
    const exited = new Promise((resolve) => relay.once('exit', resolve));
    const timer = setTimeout(() => relay.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

/** Samples the load average while a run goes on; `stop()` summarises it. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private cpuStart: CpuTicks | null = null;

  async start(intervalMs = 1000): Promise<void> {
    this.cpuStart = await readCpuTicks();
    this.samples.push(os.loadavg()[0]!);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]!), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<MachineReport['load']> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.samples.push(os.loadavg()[0]!);
    const end = await readCpuTicks();
    const start = this.cpuStart;
    const total = start && end ? end.total - start.total : 0;
    return {
      loadAverage: { median: median(this.samples), max: Math.max(...this.samples) },
      busyFraction: start && end && total > 0 ? Math.min(1, Math.max(0, (end.busy - start.busy) / total)) : null,
      samples: this.samples.length,
    };
  }
}

interface CpuTicks {
  busy: number;
  total: number;
}

async function readCpuTicks(): Promise<CpuTicks | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
    if (!line) return null;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export function machineReport(before: FloorSamples | null, after: FloorSamples | null, concurrency: number, load: MachineReport['load']): MachineReport {
  const sides = [before, after].filter((s): s is FloorSamples => s !== null);
  const starts: Record<string, number> = {};
  for (const runtime of new Set(sides.flatMap((s) => Object.keys(s.processStartMs) as Runtime[]))) {
    starts[runtime] = median(sides.flatMap((s) => s.processStartMs[runtime] ?? []));
  }
  const loopback = sides.flatMap((s) => s.loopbackRoundTripMs);
  return {
    cpus: os.availableParallelism(),
    floor:
      loopback.length === 0
        ? null
        : { processStartMs: starts, loopbackRoundTripMs: median(loopback), concurrency: Math.min(MAX_FLOOR_CONCURRENCY, concurrency), samples: loopback.length },
    load,
  };
}

/** Adds what the platform learnt during the run to run.json's `local` section (temp file, then rename). */
export async function recordMachine(runDir: string, machine: MachineReport): Promise<void> {
  const file = path.join(runDir, 'run.json');
  const manifest = RunManifest.parse(JSON.parse(await readFile(file, 'utf8')));
  if (!manifest.local) return;
  const updated = RunManifest.parse({ ...manifest, local: { ...manifest.local, machine } });
  await writeFile(`${file}.part`, `${JSON.stringify(updated, null, 2)}\n`);
  await rename(`${file}.part`, file);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
