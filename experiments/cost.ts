/**
 * The cost model: usage units of a plan (GB-seconds, requests, state
 * transitions, object writes, log bytes) priced with the dated price table.
 *
 * It covers the harness, not just the probes: the in-cloud driver, the
 * orchestrator, the results bucket and log ingestion. Units are returned with
 * the cost so a reader (and the tests) can redo the arithmetic by hand.
 */
import { taskExpectedDurationMs } from '../probe-runtime/contracts/task';
import { driverMemoryMb, gcpVcpuForMemoryMb } from './capabilities';
import { burstSendSpanMs, type PlanCost, type PlanFunction, type PlanStep } from './plan-schema';
import { priceTableFor, type PriceTable } from './prices';
import type { ProviderId } from './schema';

/** Modelling assumptions, printed with every estimate. Change them here and the docs follow. */
export const COST_ASSUMPTIONS = {
  /** Handler time outside the task: parsing, fingerprinting, answering. */
  probeOverheadMs: 20,
  /** Billed initialisation of a cold instance (Lambda bills INIT since 2025-08). */
  coldInitMs: 250,
  /** Round trip the driver waits for on top of the task, per wave of requests. */
  requestLatencyMs: 300,
  /** Driver bookkeeping per shard: validation, writing its shard. */
  driverOverheadMs: 500,
  /** A wait longer than this lets instances be recycled: the next burst is counted cold. */
  idleRecycleSeconds: 300,
  /** Bytes of one JSONL record, of one probe log entry, of one driver log entry. */
  recordBytes: 2500,
  probeLogBytes: 400,
  driverLogBytes: 2000,
  orchestratorLogBytesPerUnit: 500,
  /** Orchestrator units per step kind (state transitions / workflow steps / orchestration executions). */
  unitsPerRun: 8,
  unitsPerWait: 1,
  unitsPerUpdate: 4,
  unitsPerBurst: 3,
  unitsPerShard: 2,
  /** Results are kept one month before the lifecycle rule moves them (pro-rated storage). */
  storageMonths: 1,
};

export interface CostUnits {
  probeRequests: number;
  /** GB-seconds of every probe, and (only when the plan has arm64 functions) the part of them on arm64. */
  probeGbSeconds: number;
  probeGbSecondsArm64?: number;
  probeVcpuSeconds: number;
  driverRequests: number;
  driverGbSeconds: number;
  driverVcpuSeconds: number;
  orchestratorUnits: number;
  storageWrites: number;
  storageReads: number;
  storedGb: number;
  logGb: number;
}

export function estimateUnits(driverMb: number, functions: PlanFunction[], steps: PlanStep[], prices: PriceTable): CostUnits {
  const a = COST_ASSUMPTIONS;
  const byKey = new Map(functions.map((f) => [f.key, f]));
  const fresh = new Set(functions.map((f) => f.key)); // functions whose next request starts cold
  const billed = (ms: number) => Math.ceil(ms / prices.billingIncrementMs) * prices.billingIncrementMs;
  const units: CostUnits = {
    probeRequests: 0,
    probeGbSeconds: 0,
    probeVcpuSeconds: 0,
    driverRequests: 0,
    driverGbSeconds: 0,
    driverVcpuSeconds: 0,
    orchestratorUnits: a.unitsPerRun,
    storageWrites: 3, // plan.json, run.json at start and at the end
    storageReads: 2,
    storedGb: 0,
    logGb: 0,
  };
  let records = 0;

  for (const step of steps) {
    if (step.kind === 'wait') {
      units.orchestratorUnits += a.unitsPerWait;
      if (step.seconds > a.idleRecycleSeconds) for (const f of functions) fresh.add(f.key);
      continue;
    }
    if (step.kind === 'update') {
      units.orchestratorUnits += a.unitsPerUpdate;
      fresh.add(step.function);
      continue;
    }
    units.orchestratorUnits += a.unitsPerBurst + a.unitsPerShard * step.shards;
    const taskMs = taskExpectedDurationMs(step.task);
    for (let r = 0; r < step.requests; r++) {
      const f = byKey.get(step.targets[r % step.targets.length]!)!;
      // The probe busy-waits for the barrier, and that time is billed too.
      const cold = fresh.has(f.key) ? a.coldInitMs : 0;
      const seconds = billed(step.barrierMs + taskMs + a.probeOverheadMs + cold) / 1000;
      units.probeRequests += 1;
      units.probeGbSeconds += (f.memoryMb / 1024) * seconds;
      if (f.architecture === 'arm64') units.probeGbSecondsArm64 = (units.probeGbSecondsArm64 ?? 0) + (f.memoryMb / 1024) * seconds;
      units.probeVcpuSeconds += (f.vcpu ?? 0) * seconds;
    }
    for (const key of step.targets) fresh.delete(key);
    records += step.requests;

    const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
    const driverSeconds = billed(step.barrierMs + burstSendSpanMs(step) + waves * (taskMs + a.requestLatencyMs) + a.driverOverheadMs) / 1000;
    units.driverRequests += step.shards;
    units.driverGbSeconds += step.shards * (driverMb / 1024) * driverSeconds;
    // A vCPU share per GB-second as Google bills it; priced only where the price table bills vCPU (computeVcpuSecond).
    units.driverVcpuSeconds += step.shards * gcpVcpuForMemoryMb(driverMb) * driverSeconds;
    units.storageWrites += step.shards;
    units.storageReads += step.shards;
  }

  units.storedGb = (records * a.recordBytes) / 1e9;
  units.logGb =
    (units.probeRequests * a.probeLogBytes +
      units.driverRequests * a.driverLogBytes +
      units.orchestratorUnits * a.orchestratorLogBytesPerUnit) /
    1e9;
  return units;
}

export function priceUnits(units: CostUnits, prices: PriceTable): PlanCost['breakdown'] {
  // arm64 GB-seconds at the arm64 price where the provider has one; the rest (x86_64) at the base price
  // (a plan may mix both when architecture is a matrix dimension).
  const arm = units.probeGbSecondsArm64 ?? 0;
  const armPrice = prices.computeGbSecondArm ?? prices.computeGbSecond;
  const probeCompute = (units.probeGbSeconds - arm) * prices.computeGbSecond + arm * armPrice;
  // Zero where CPU is not billed apart from memory.
  const vcpuSecond = prices.computeVcpuSecond ?? 0;
  return {
    probes: probeCompute + units.probeVcpuSeconds * vcpuSecond + units.probeRequests * prices.request,
    driver: units.driverGbSeconds * prices.computeGbSecond + units.driverVcpuSeconds * vcpuSecond + units.driverRequests * prices.request,
    orchestrator: units.orchestratorUnits * prices.orchestratorUnit,
    storage:
      units.storageWrites * prices.storageWrite +
      units.storageReads * prices.storageRead +
      units.storedGb * prices.storageGbMonth * COST_ASSUMPTIONS.storageMonths,
    logs: units.logGb * prices.logsGb,
  };
}

export function estimateCost(
  provider: ProviderId,
  hosting: string,
  functions: PlanFunction[],
  steps: PlanStep[],
): Omit<PlanCost, 'units'> & { units: CostUnits } {
  const prices = priceTableFor(provider, hosting);
  const driverMb = driverMemoryMb(provider, hosting);
  const units = estimateUnits(driverMb, functions, steps, prices);
  const breakdown = priceUnits(units, prices);
  const usd = breakdown.probes + breakdown.driver + breakdown.orchestrator + breakdown.storage + breakdown.logs;
  const a = COST_ASSUMPTIONS;
  return {
    usd: roundUsd(usd),
    breakdown: {
      probes: roundUsd(breakdown.probes),
      driver: roundUsd(breakdown.driver),
      orchestrator: roundUsd(breakdown.orchestrator),
      storage: roundUsd(breakdown.storage),
      logs: roundUsd(breakdown.logs),
    },
    priceTable: { id: prices.id, asOf: prices.asOf, region: prices.region, sources: prices.sources },
    assumptions: [
      'list prices, free tiers ignored',
      `probe bills barrier wait + expected task time + ${a.probeOverheadMs} ms overhead, plus ${a.coldInitMs} ms init when cold`,
      `cold = first request to a function after deploy, an update, or a wait over ${a.idleRecycleSeconds} s`,
      `driver: ${driverMb} MB for barrier + waves × (task + ${a.requestLatencyMs} ms) + ${a.driverOverheadMs} ms per shard`,
      `results kept ${a.storageMonths} month at ${a.recordBytes} bytes per record`,
    ],
    units,
  };
}

/** Micro-dollar precision keeps plan hashes stable across floating-point noise. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
