/** The one-screen summary `curtain run` prints at the end. */
import path from 'node:path';
import { table } from '../../analysis/format';
import { describeMethodCheck } from '../method-check/method-check';
import { formatSeconds } from '../time-scale';
import type { LocalRunResult } from './run-local-study';

export function renderLocalRun(result: LocalRunResult, cwd: string): string {
  const rel = (p: string) => {
    const r = path.relative(cwd, p);
    return r.startsWith('..') ? p : r || '.';
  };
  const r = result.records;
  const ms = (v: number | null) => (v === null ? 'n/a' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
  const truth = result.groundTruth;
  const hosts = new Set(truth.instances.map((i) => i.host)).size;
  const lines = [
    `${result.plan.study.id} on the local platform: ${result.status} in ${formatSeconds(result.elapsedMs / 1000)}${result.segment > 0 ? ` (resume ${result.segment}, on a new platform)` : ''}`,
    '',
    table(
      ['', ''],
      [
        ['run', `${result.run}  (${rel(result.runDir)})`],
        ['profile', `${result.profile.name}${result.profile.models ? ` (models ${result.profile.models} in 2018)` : ''}`],
        ['time scale', `${result.timeScale}x: ${result.timeScaleReason}`],
        ['CPU quota', result.cpuQuota.applied ? 'applied (cgroup v1, per host and per instance)' : `not applied: ${result.cpuQuota.reason}`],
        ['disk bandwidth', result.ioLimit.applied ? 'applied per host (cgroup v1 blkio)' : `not applied: ${result.ioLimit.reason}`],
        ['records', `${r.records} of ${result.plan.invocations} planned: ${Object.entries(r.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}${r.malformedLines ? `; ${r.malformedLines} malformed lines` : ''}`],
        ['latency', `cold median ${ms(r.coldMedianMs)} (${r.coldStarts} cold starts), warm median ${ms(r.warmMedianMs)}`],
        ['instances', `${truth.instances.length} started on ${hosts} emulated hosts; ${r.instances} answered`],
        ...(result.faults.length > 0 ? [['faults', result.faults.join('; ')]] : []),
      ],
    )
      .split('\n')
      .slice(2)
      .join('\n'),
  ];
  if (r.byLabel.length > 0) {
    lines.push('', table(['label', 'records', 'ok', 'median latency'], r.byLabel.map((l) => [l.label, l.records, l.ok, ms(l.medianLatencyMs)])));
  }
  if (result.failures.length > 0) {
    lines.push('', `${result.failures.length} failure(s):`);
    for (const f of result.failures.slice(0, 5)) lines.push(`  step ${f.step}${f.shard === null ? '' : ` shard ${f.shard}`}: ${f.message}`);
    if (result.failures.length > 5) lines.push(`  … and ${result.failures.length - 5} more in run.json`);
  }
  lines.push('');
  if (result.methodCheck) lines.push(`method check ${describeMethodCheck(result.methodCheck)} (against the ground truth; in the report)`);
  if (result.report) lines.push(`report       ${rel(result.report.reportPath)}`);
  else lines.push(`report       ${result.reportNote}`);
  lines.push(`ground truth ${rel(result.groundTruthPath)} (for tests; the analysis never reads it)`);
  if (result.status === 'interrupted') {
    lines.push('', `The run was interrupted: what was recorded is valid; the requests never sent are recorded as skipped. Continue it with: npx curtain resume ${rel(result.runDir)}`);
  } else if (result.status === 'failed' && result.records.byStatus.skipped > 0) {
    lines.push('', `Some requests were never sent (skipped): npx curtain resume ${rel(result.runDir)} sends them.`);
  }
  return lines.join('\n');
}

/** `curtain run --json` and `curtain resume --json`. */
export function localRunJson(result: LocalRunResult): Record<string, unknown> {
  return {
    study: result.plan.study.id,
    run: result.run,
    runDir: result.runDir,
    status: result.status,
    segment: result.segment,
    profile: result.profile.name,
    timeScale: result.timeScale,
    cpuQuota: result.cpuQuota,
    ioLimit: result.ioLimit,
    records: result.records,
    failures: result.failures,
    report: result.report?.reportPath ?? null,
    reportNote: result.reportNote,
    groundTruth: result.groundTruthPath,
    elapsedMs: Math.round(result.elapsedMs),
  };
}

/** 130 when stopped by Ctrl-C (during the run or its report), 0 completed, 3 failed. */
export function localRunExitCode(result: LocalRunResult): number {
  if (result.status === 'interrupted' || result.signalled) return 130;
  return result.status === 'completed' ? 0 : 3;
}
