/**
 * Writes experiments/arrivals/samples/azure-functions-2019-sample.csv: a small file in the exact
 * format of the Azure Functions 2019 trace's per-minute invocation counts
 * (invocations_per_function_md.anon.dNN.csv, see experiments/arrivals/azure-functions-trace.ts),
 * for tests and examples. Its rows are synthetic, not taken from the trace (the dataset itself is
 * not reachable from the machines this was made on); they follow the trace's three common shapes
 * (a diurnal HTTP function, a 5-minute timer, a sparse queue consumer), from a fixed seed, so the
 * file is reproducible: `npx tsx tools/make-trace-sample.ts`. The README next to it says so.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../experiments/seeded-random';

const MINUTES = 1440;
const random = seededRandom(2019);
const id = (name: string) => createHash('sha256').update(`curtain-synthetic-sample/${name}`).digest('hex');

/** Poisson draw (Knuth; rates here are small). */
function poisson(rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k += 1;
  return k;
}

const rows = [
  // HTTP: a diurnal rate between 0.2 and 3 per minute, peaking mid-afternoon.
  { owner: 'owner-1', app: 'app-1', fn: 'http-api', trigger: 'http', counts: Array.from({ length: MINUTES }, (_, m) => poisson(1.6 + 1.4 * Math.sin(((m - 540) / MINUTES) * 2 * Math.PI))) },
  // Timer: once every 5 minutes.
  { owner: 'owner-1', app: 'app-1', fn: 'timer-5min', trigger: 'timer', counts: Array.from({ length: MINUTES }, (_, m) => ((m + 1) % 5 === 0 ? 1 : 0)) },
  // Queue: idle for long stretches, then a batch.
  { owner: 'owner-2', app: 'app-2', fn: 'queue-batch', trigger: 'queue', counts: Array.from({ length: MINUTES }, () => (random() < 0.02 ? 5 + poisson(10) : 0)) },
];

const header = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger', ...Array.from({ length: MINUTES }, (_, m) => String(m + 1))].join(',');
const lines = rows.map((r) => [id(r.owner), id(r.app), id(r.fn), r.trigger, ...r.counts].join(','));
const file = path.resolve(__dirname, '../experiments/arrivals/samples/azure-functions-2019-sample.csv');
writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
console.log(`wrote ${file}: ${rows.map((r) => `${r.fn} ${r.counts.reduce((a, b) => a + b, 0)} invocations`).join(', ')}`);
