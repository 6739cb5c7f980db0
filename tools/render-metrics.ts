/**
 * The metrics claims can name, per analysis kind, from the metric catalog
 * (analysis/metric-catalog.ts): the list in docs/writing-a-study.md, generated so
 * it cannot go stale.
 */
import { LABEL_METRICS, type MetricSpec, STUDY_METRICS } from '../analysis/metric-catalog';
import { ANALYSIS_REGISTRY } from '../analysis/studies';
import { ANALYSES } from '../experiments/schema';

const row = (s: MetricSpec) => `| \`${s.pattern}\` | ${s.unit} | ${s.description} |`;

export function renderMetricsList(): string {
  const out = [
    'Placeholders: `{memoryMb}` a memory size of the matrix in MB, `{runtime}` `nodejs` or `python`, `{tenant}` a tenant letter,',
    '`{label}` a burst label of the schedule, `{kind}` `io` or `net`. `curtain validate` refuses a claim whose metric is not one of these',
    '(for its analysis), or names a label or tenant the study does not have.',
    '',
    '**Every analysis**, per burst label (a table "Per burst label" in every report):',
    '',
    '| metric | unit | meaning |',
    '|---|---|---|',
    ...LABEL_METRICS.map(row),
    '',
  ];
  for (const kind of ANALYSES) {
    out.push(`**${kind}** (${ANALYSIS_REGISTRY[kind].description}):`, '', '| metric | unit | meaning |', '|---|---|---|', ...STUDY_METRICS[kind].map(row), '');
  }
  return out.join('\n');
}
