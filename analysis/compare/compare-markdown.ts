/** compare.md and compare.json of a comparison. */
import { fmt, mdTable } from '../format';
import { describeMargin } from '../margins';
import { summaryMetric } from '../report/build-summary';
import { emulationBanner } from '../report/report-markdown';
import type { ComparedRun, RunComparison } from './compare-runs';
import { fmtP, type MetricComparison, type SideSummary } from './judge-metric';

export const COMPARISON_VERSION = 2;

function platformOf(r: ComparedRun): string {
  const p = r.analysis.platform;
  return p.emulated ? `local, profile ${p.profile ?? 'unknown'}` : `${p.provider} ${r.analysis.files.plan.region}`;
}

function sideValue(m: MetricComparison, side: SideSummary): string {
  const unit = m.unit && m.unit !== 'fraction' ? ` ${m.unit}` : '';
  const text = (v: number | boolean | null | undefined) => (v === null || v === undefined ? 'not measurable' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : fmt(v));
  if (side.runs === 1) return typeof side.values[0] === 'number' ? `${text(side.values[0])}${unit}` : text(side.values[0]);
  const values = side.values.map((v) => (v === null ? '—' : text(v)));
  const mean = side.mean === null ? '' : `${m.scale === 'ratio' ? 'geometric mean' : 'mean'} ${fmt(side.mean)}${unit}: `;
  return `${mean}${values.join(', ')}`;
}

function estimate(m: MetricComparison): string {
  if (m.estimate === null) return '—';
  if (m.scale === 'ratio') return `×${fmt(m.estimate)}`;
  return `${m.estimate > 0 ? '+' : ''}${fmt(m.estimate)}`;
}

function interval(m: MetricComparison): string {
  if (!m.interval || m.basis === 'exact') return m.basis === 'exact' ? 'exact' : '—';
  return `${fmt(m.interval[0])}–${fmt(m.interval[1])}`;
}

export function renderComparison(c: RunComparison): string {
  const first = c.a[0]!.analysis;
  const out: string[] = [`# Comparison: ${first.files.plan.study.title}`, ''];
  const runs = [...c.a, ...c.b];
  out.push(
    `Side A (the reference): ${c.a.length} run${c.a.length > 1 ? 's' : ''}; side B: ${c.b.length} run${c.b.length > 1 ? 's' : ''}. Each metric is judged against its practical margin at α = ${c.alpha} (method below and in docs/analysis.md).`,
    '',
    mdTable(
      ['run', 'directory', 'platform', 'run id', 'plan'],
      runs.map((r) => [r.label, `\`${r.analysis.files.dir}\``, platformOf(r), r.analysis.files.manifest?.run ?? 'unknown', r.analysis.files.plan.hash.slice(0, 12)]),
    ),
    '',
  );
  const banners = new Map<string, string[]>();
  for (const r of runs) {
    const banner = emulationBanner(r.analysis);
    if (banner) banners.set(banner, [...(banners.get(banner) ?? []), r.label]);
  }
  for (const [banner, labels] of banners) out.push(banner.replace('This run', `Run${labels.length > 1 ? 's' : ''} ${labels.join(', ')}`), '');

  out.push('## Verdict', '', verdictLine(c), '');
  out.push(
    mdTable(
      ['metric', 'A', 'B', 'n (A; B)', 'B vs A', `${fmt((1 - 2 * c.alpha) * 100)} % CI`, 'margin', 'p equivalent', 'p different (Holm)', 'verdict'],
      c.metrics.map((m) => [
        `\`${m.name}\``,
        sideValue(m, m.a),
        sideValue(m, m.b),
        `${m.a.n.join(', ')}; ${m.b.n.join(', ')}`,
        estimate(m),
        interval(m),
        m.margin ? `${describeMargin(m.margin.margin, m.unit)}${m.margin.source === 'override' ? ' (--margin)' : ''}` : 'none',
        m.pEquivalent === null || m.basis === 'exact' ? '—' : fmtP(m.pEquivalent),
        m.pDifferentAdjusted === null ? '—' : fmtP(m.pDifferentAdjusted),
        `**${m.verdict}**: ${m.reason}`,
      ]),
    ),
    '',
    methodParagraph(c),
    '',
  );

  const margins = new Map<string, MetricComparison['margin']>();
  for (const m of c.metrics) if (m.margin) margins.set(m.margin.declaredFor, m.margin);
  if (margins.size > 0) {
    out.push(
      '## Margins',
      '',
      mdTable(
        ['declared for', 'margin', 'source', 'reason'],
        [...margins.values()].map((r) => [`\`${r!.declaredFor}\``, describeMargin(r!.margin), r!.source === 'override' ? '--margin' : 'analysis registry', r!.margin.reason]),
      ),
      '',
    );
  }
  if (c.notes.length > 0) out.push('## Notes', '', ...c.notes.map((n) => `- ${n}`), '');
  const malformed = runs.filter((r) => r.analysis.stream.malformed > 0);
  if (malformed.length > 0) {
    out.push('## Malformed lines', '');
    for (const r of malformed) {
      const s = r.analysis.stream;
      const listed = s.malformedLines.length < s.malformed ? ` (the first ${s.malformedLines.length} of ${s.malformed})` : '';
      out.push(`Run ${r.label} (\`${r.analysis.files.dir}\`)${listed}:`, '', mdTable(['file', 'line', 'reason'], s.malformedLines.map((l) => [l.file, l.line, l.reason])), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function verdictLine(c: RunComparison): string {
  const total = c.metrics.length;
  const { equivalent, different, inconclusive } = c.counts;
  const tally = `${equivalent} equivalent, ${different} different, ${inconclusive} inconclusive of ${total} metrics`;
  if (different > 0) return `**Not replicated**: ${tally}.`;
  if (equivalent === total) return `**Replicated**: ${tally}: every metric lies within its margin (an intersection–union test, so at level α = ${c.alpha} for all of them together).`;
  return `**Not shown either way**: ${tally}.`;
}

function methodParagraph(c: RunComparison): string {
  const replicates = c.a.length > 1 || c.b.length > 1;
  return [
    `B vs A is B / A (geometric means) for ratio margins and B − A (means) otherwise. Equivalent: the ${fmt((1 - 2 * c.alpha) * 100)} % interval lies within the margin (two one-sided tests).`,
    `Different: the difference lies beyond the margin, with Holm's adjustment over the ${c.tested} metric${c.tested === 1 ? '' : 's'} tested, so runs of one plan are called different on any metric with probability at most ${c.alpha}.`,
    replicates
      ? `The standard error comes from the spread between the runs of each side (t with ${c.a.length + c.b.length - 2} degrees of freedom), never below the runs' own sampling error.`
      : "The standard error comes from each run's sampling error (bootstrap replicates or its 95 % interval).",
    'Values without an interval (observed counts and extremes) are compared as exact; yes/no answers are equivalent when all runs agree.',
  ].join(' ');
}

export function comparisonJson(c: RunComparison): object {
  const run = (r: ComparedRun) => ({
    label: r.label,
    dir: r.analysis.files.dir,
    run: r.analysis.files.manifest?.run ?? null,
    provider: r.analysis.platform.provider,
    emulated: r.analysis.platform.emulated,
    profile: r.analysis.platform.profile,
    planHash: r.analysis.files.plan.hash,
    malformed: { count: r.analysis.stream.malformed, lines: r.analysis.stream.malformedLines },
  });
  return {
    v: COMPARISON_VERSION,
    study: c.a[0]!.analysis.files.plan.study.id,
    alpha: c.alpha,
    a: c.a.map(run),
    b: c.b.map(run),
    samePlan: c.plans.same,
    counts: c.counts,
    tested: c.tested,
    metrics: c.metrics.map((m) => ({
      name: m.name,
      unit: m.unit,
      a: { ...m.a, metrics: c.a.map((r) => metricSummary(r, m.name)) },
      b: { ...m.b, metrics: c.b.map((r) => metricSummary(r, m.name)) },
      margin: m.margin ? { ...m.margin.margin, declaredFor: m.margin.declaredFor, source: m.margin.source } : null,
      scale: m.scale,
      estimate: m.estimate,
      interval: m.interval,
      basis: m.basis,
      df: m.df,
      runToRunSd: m.runToRunSd,
      pEquivalent: m.pEquivalent,
      pDifferent: m.pDifferent,
      pDifferentAdjusted: m.pDifferentAdjusted,
      verdict: m.verdict,
      reason: m.reason,
    })),
    notes: c.notes,
  };
}

function metricSummary(r: ComparedRun, name: string) {
  const m = r.analysis.metrics.get(name);
  return m ? summaryMetric(m) : null;
}
