/**
 * The one-screen summary of a local run, read back from the records it wrote
 * (records per status and per step label, cold and warm latency medians,
 * distinct instances), so the summary shows what is on disk, not what the
 * orchestrator believes it sent.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvocationRecord, type InvocationStatus } from '../../probe-runtime/contracts/invocation-record';

export interface RecordSummary {
  records: number;
  malformedLines: number;
  byStatus: Record<InvocationStatus, number>;
  byLabel: { label: string; records: number; ok: number; medianLatencyMs: number | null }[];
  coldMedianMs: number | null;
  warmMedianMs: number | null;
  coldStarts: number;
  instances: number;
  /** Records per (step, request): every planned request should have exactly one. */
  duplicateRequests: number;
}

export async function summarizeRun(runDir: string): Promise<RecordSummary> {
  const files = await shardFiles(path.join(runDir, 'steps'));
  const byStatus: RecordSummary['byStatus'] = { ok: 0, error: 0, throttled: 0, timeout: 0, skipped: 0 };
  const labels = new Map<string, { records: number; ok: number; latencies: number[] }>();
  const cold: number[] = [];
  const warm: number[] = [];
  const instances = new Set<string>();
  const seen = new Set<string>();
  let records = 0;
  let malformed = 0;
  let duplicates = 0;
  for (const file of files) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        malformed += 1;
        continue;
      }
      const parsed = InvocationRecord.safeParse(json);
      if (!parsed.success) {
        malformed += 1;
        continue;
      }
      const r = parsed.data;
      records += 1;
      byStatus[r.status] += 1;
      const id = `${r.step}/${r.request}`;
      if (seen.has(id)) duplicates += 1;
      seen.add(id);
      const label = r.label ?? '(none)';
      const entry = labels.get(label) ?? { records: 0, ok: 0, latencies: [] };
      entry.records += 1;
      if (r.status === 'ok') {
        entry.ok += 1;
        if (r.latencyMs !== null) entry.latencies.push(r.latencyMs);
      }
      labels.set(label, entry);
      if (r.status === 'ok' && r.response && r.latencyMs !== null) {
        (r.response.instance.cold ? cold : warm).push(r.latencyMs);
        instances.add(r.response.instance.id);
      }
    }
  }
  return {
    records,
    malformedLines: malformed,
    byStatus,
    byLabel: [...labels.entries()].map(([label, e]) => ({ label, records: e.records, ok: e.ok, medianLatencyMs: median(e.latencies) })),
    coldMedianMs: median(cold),
    warmMedianMs: median(warm),
    coldStarts: cold.length,
    instances: instances.size,
    duplicateRequests: duplicates,
  };
}

async function shardFiles(dir: string): Promise<string[]> {
  let steps: string[];
  try {
    steps = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const step of steps) {
    const shards = (await readdir(path.join(dir, step)).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl')).sort();
    files.push(...shards.map((f) => path.join(dir, step, f)));
  }
  return files;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
