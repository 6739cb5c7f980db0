/**
 * Writes a large synthetic coldstart run straight to disk, one shard at a time,
 * without holding its records in memory: the input of bench/report.bench.ts
 * (1,000,000 records) and of a small-scale test that checks it stays valid.
 *
 * Ground truth: `functions` functions (memory × runtime); each round forces
 * `coldPerFunction` cold starts per function onto `hosts` hosts, then sends
 * `warmPerFunction` warm requests per function round-robin over its instances.
 * Cold latency ≈ U(200, 300) ms, warm ≈ U(20, 30) ms.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { seededRandom } from '../../../experiments/catalog/common';
import { planStudy } from '../../../experiments/plan';
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import type { StudyDefinitionInput } from '../../../experiments/schema';
import { planKey, runManifestKey, shardKey } from '../../../probe-runtime/contracts/bucket-layout';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';

export interface LargeRunOptions {
  rounds: number;
  coldPerFunction: number;
  warmPerFunction: number;
  memoryMb?: number[];
  hosts?: number;
}

export function largeColdstartPlan(o: LargeRunOptions): StudyPlan {
  const definition: StudyDefinitionInput = {
    id: 'coldstart',
    title: 'Cold and warm start latency (synthetic benchmark run)',
    summary: 'A large synthetic coldstart run for the report benchmark.',
    paper: { experiment: 'E4', section: '§5' },
    providers: ['local'],
    functions: { memoryMb: o.memoryMb ?? [128, 256, 512, 1024], runtime: ['nodejs', 'python'] },
    schedule: [
      {
        kind: 'repeat',
        times: o.rounds,
        steps: [
          { kind: 'update', change: { kind: 'refresh' } },
          { kind: 'burst', label: 'cold', requestsPerTarget: o.coldPerFunction },
          { kind: 'burst', label: 'warm', requestsPerTarget: o.warmPerFunction },
        ],
      },
    ],
    analysis: { kind: 'coldstart' },
    budget: { maxInvocations: 10_000_000, maxUsd: 100_000 },
  };
  return planStudy(definition, { provider: 'local' });
}

/** Writes the run under `root`; returns the run directory and the number of records. */
export async function writeLargeColdstartRun(root: string, o: LargeRunOptions, onProgress?: (records: number) => void): Promise<{ dir: string; records: number }> {
  const plan = largeColdstartPlan(o);
  const runId = '20261126T120000Z-bench';
  const study = plan.study.id;
  const random = seededRandom(11);
  const put = (key: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
    writeFileSync(path.join(root, key), text);
  };
  put(planKey(study, runId), JSON.stringify(plan));
  const start = Date.UTC(2026, 10, 26, 12);
  let clock = start;
  const hosts = Array.from({ length: o.hosts ?? 500 }, (_, h) => ({
    bootTime: 1_764_000_000 + h * 97,
    cgroup: [`3:cpu,cpuacct:/sandbox-root-${h.toString(36).padStart(6, 'a')}/sandbox-000001`],
    cpuModel: 'Intel(R) Xeon(R) CPU E5-2666 v3 @ 2.90GHz',
    cpuCount: 2,
    memTotalKb: 3_932_160,
    kernel: '4.14.47-56.37.amzn1.x86_64',
    hostname: `ip-10-1-${Math.floor(h / 250)}-${(h % 250) + 1}`,
    privateIp: `10.1.${Math.floor(h / 250)}.${(h % 250) + 1}`,
    hypervisorUuid: null,
    dmiProductUuid: null,
  }));
  const runtimeOf = new Map(plan.functions.map((f) => [f.key, f.runtime]));
  const generationOf = new Map(plan.functions.map((f) => [f.key, f.env.CURTAIN_GENERATION!]));
  let instances: Map<string, { id: string; startedAt: number; invocation: number; host: (typeof hosts)[number] }[]> = new Map();
  let serial = 0;
  let records = 0;
  let validated = 0;

  const writeBurst = async (step: BurstStep) => {
    const cold = step.label === 'cold';
    if (cold) instances = new Map();
    for (let shard = 0; shard < step.shards; shard++) {
      const file = path.join(root, shardKey(study, runId, step.id, shard));
      mkdirSync(path.dirname(file), { recursive: true });
      const stream = createWriteStream(file);
      let buffer = '';
      const from = shard * step.requestsPerShard;
      const to = Math.min(step.requests, from + step.requestsPerShard);
      for (let request = from; request < to; request++) {
        const target = step.targets[request % step.targets.length]!;
        const list = instances.get(target) ?? [];
        instances.set(target, list);
        let instance: NonNullable<ReturnType<typeof instances.get>>[number];
        if (cold) {
          instance = { id: `i-${(serial++).toString(16).padStart(12, '0')}`, startedAt: clock, invocation: 0, host: hosts[Math.floor(random() * hosts.length)]! };
          list.push(instance);
        } else instance = list[Math.floor(request / step.targets.length) % list.length]!;
        instance.invocation += 1;
        const latencyMs = cold ? 200 + 100 * random() : 20 + 10 * random();
        const sentAt = (clock += 0.05);
        const record = {
          v: 1,
          study,
          run: runId,
          planHash: plan.hash,
          provider: 'local',
          step: step.index,
          stepId: step.id,
          label: step.label,
          shard,
          request,
          target,
          attempts: 1,
          sentAt,
          receivedAt: sentAt + latencyMs,
          latencyMs,
          status: 'ok',
          error: null,
          transportStatus: 200,
          response: {
            v: 1,
            probe: 'node@1',
            runtime: runtimeOf.get(target)!,
            runtimeVersion: 'synthetic',
            instance: { id: instance.id, startedAt: instance.startedAt, invocation: instance.invocation, cold: instance.invocation === 1, tmpMarkerFound: false },
            host: instance.host,
            cpuDelta: { user: 1, nice: 0, system: 1, idle: 10, iowait: 0, irq: 0, softirq: 0, steal: 0 },
            providerIds: { CURTAIN_LOCAL_INSTANCE_ID: instance.id },
            generation: generationOf.get(target)!,
            memoryMb: null,
            timing: { receivedAt: sentAt + 1, barrierReleasedAt: null, taskStartedAt: sentAt + 1.1, taskEndedAt: sentAt + 1.2, respondedAt: sentAt + 1.5 },
            overheadMs: { fingerprint: 0.4, total: 0.9 },
            task: { name: 'noop', ok: true, error: null, values: {} },
          },
        };
        // Spot-check the generator against the contract (the analysis then validates every line).
        if (validated < 50) {
          InvocationRecord.parse(record);
          validated += 1;
        }
        buffer += `${JSON.stringify(record)}\n`;
        records += 1;
        if (onProgress && records % 100_000 === 0) onProgress(records);
      }
      stream.end(buffer);
      await finished(stream);
    }
  };

  for (const step of plan.steps) {
    if (step.kind === 'burst') await writeBurst(step);
    else if (step.kind === 'update') generationOf.set(step.function, step.generation);
  }
  const manifest = RunManifest.parse({
    v: 1,
    study,
    run: runId,
    provider: 'local',
    region: plan.region,
    planHash: plan.hash,
    tool: { name: 'curtain', version: '0.1.0' },
    bundles: { probe: null, driver: null, pythonProbe: null },
    templateHash: null,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(clock).toISOString(),
    status: 'completed',
    stepsTotal: plan.steps.length,
    stepsCompleted: plan.steps.length,
    failures: [],
    notes: [],
    local: { profile: 'aws-2018', timeScale: 1, cpuQuota: { applied: false, reason: 'synthetic benchmark run' }, faults: [] },
  });
  put(runManifestKey(study, runId), JSON.stringify(manifest));
  return { dir: path.join(root, study, runId), records };
}
