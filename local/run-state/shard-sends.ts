/**
 * run.json's `shardSends` from the orchestrator's journal: every burst shard
 * whose driver had to be started more than once, or did not end by writing
 * its shard, with each send and how it ended, and how many of its requests
 * were re-sent or have an unknown fate (counted from the shard as written).
 */
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import type { ShardSends } from '../../probe-runtime/contracts/run-manifest';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import type { JournalEntry } from './run-journal';
import { readShardRecords } from './shard-evidence';

export function shardSendsFromJournal(entries: JournalEntry[], runDir: string, plan: StudyPlan, run: string): ShardSends {
  const byShard = new Map<string, { step: number; shard: number; sends: ShardSends[number]['sends'] }>();
  for (const entry of entries) {
    if (entry.t !== 'send' && entry.t !== 'send-end') continue;
    const id = `${entry.step}/${entry.shard}`;
    let shard = byShard.get(id);
    if (!shard) byShard.set(id, (shard = { step: entry.step, shard: entry.shard, sends: [] }));
    if (entry.t === 'send') shard.sends.push({ startedAt: entry.at, requests: entry.requests, outcome: 'unknown', detail: 'no end was recorded (the orchestrator died first)' });
    else {
      const last = shard.sends[shard.sends.length - 1];
      if (last && last.outcome === 'unknown') {
        last.outcome = entry.outcome;
        last.detail = entry.detail;
      }
    }
  }
  const out: ShardSends = [];
  for (const { step, shard, sends } of byShard.values()) {
    if (sends.length <= 1 && sends.every((s) => s.outcome === 'written')) continue;
    const planned = plan.steps[step];
    if (planned?.kind !== 'burst') continue;
    const counts = countOnDisk(runDir, plan, run, planned, shard);
    out.push({ step, shard, sends, ...counts });
  }
  return out.sort((a, b) => a.step - b.step || a.shard - b.shard);
}

function countOnDisk(runDir: string, plan: StudyPlan, run: string, step: BurstStep, shard: number): { resent: number; unresolved: number } {
  let records: Map<number, InvocationRecord> | null;
  try {
    records = readShardRecords(runDir, plan, run, step, shard);
  } catch {
    records = null;
  }
  let resent = 0;
  let unresolved = 0;
  for (const r of records?.values() ?? []) {
    if (r.priorSends !== undefined && r.attempts > 0) resent += 1;
    if (r.status === 'error' && r.attempts === 0) unresolved += 1;
  }
  return { resent, unresolved };
}
