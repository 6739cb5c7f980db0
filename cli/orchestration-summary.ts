/**
 * The orchestration part of `curtain plan`: how the provider's orchestrator
 * runs the plan (the target's orchestrator slot, targets/provider-target.ts):
 * how many executions the run takes, what each holds and how long it is
 * expected to run, and which of the engine's limits is nearest, with its source.
 */
import { describeLimit } from '../experiments/capabilities';
import type { StudyPlan } from '../experiments/plan-schema';
import type { CompiledOrchestrator } from '../targets/provider-target';
import { formatDuration, plural, table } from './format';

/** Segments shown one per row; longer runs are summarized. */
const MAX_ROWS = 12;

export function renderOrchestration(plan: StudyPlan, engine: string, compiled: CompiledOrchestrator): string {
  const lines = [`Orchestration: ${engine}`];
  if (compiled.definitionSize) {
    const { bytes, limit } = compiled.definitionSize;
    lines.push(`  definition ${(bytes / 1024).toFixed(1)} KB, the same for any study length (limit: ${limit.what}, ${(limit.value / 1024).toLocaleString('en-US')} KB)`);
  }
  const s = compiled.segmentation;
  if (!s) {
    lines.push('  walks the plan in one run, with no execution limits');
    return lines.join('\n');
  }
  const n = s.segments.length;
  lines.push(
    n === 1
      ? `  1 execution runs all ${plural(plan.steps.length, 'step')}`
      : `  ${n} executions, each handing over to the next at a step boundary (continue as new)`,
  );
  const rows = s.segments.map((seg, i) => [
    String(i + 1),
    seg.first < 0 ? `resets, 0–${seg.last}` : `${seg.first}–${seg.last}`,
    String(seg.steps),
    `${seg.units.toLocaleString('en-US')} (${Math.round((100 * seg.units) / s.limits.units.value)} %)`,
    formatDuration(seg.expectedSeconds),
  ]);
  const shown = rows.length <= MAX_ROWS ? rows : [...rows.slice(0, MAX_ROWS / 2), ['…', `${rows.length - MAX_ROWS} more`, '', '', ''], ...rows.slice(-MAX_ROWS / 2)];
  lines.push(table(['execution', 'steps', 'count', `${s.unit}, bound`, 'expected'], shown).replace(/^/gm, '  '));
  lines.push(`  nearest limit: ${describeLimit(s.nearest.limit)}; an execution uses up to ${Math.round(s.nearest.fraction * 100)} %`);
  return lines.join('\n');
}
