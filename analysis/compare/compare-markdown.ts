/** compare.md and compare.json of two runs. */
import { fmt, fmtInterval, mdTable } from '../format';
import { summaryMetric } from '../report/build-summary';
import { emulationBanner, metricValue } from '../report/report-markdown';
import type { RunComparison } from './compare-runs';

function runLine(label: string, r: RunComparison['a']): string {
  return `- **${label}**: \`${r.files.dir}\`, ${r.platform.emulated ? `local (profile ${r.platform.profile ?? 'unknown'})` : `${r.platform.provider} ${r.files.plan.region}`}, run ${r.files.manifest?.run ?? 'unknown'}, plan ${r.files.plan.hash.slice(0, 12)}`;
}

export function renderComparison(c: RunComparison): string {
  const out: string[] = [`# Comparison: ${c.a.files.plan.study.title}`, '', runLine('A', c.a), runLine('B', c.b), ''];
  for (const [label, r] of [['A', c.a], ['B', c.b]] as const) {
    const banner = emulationBanner(r);
    if (banner) out.push(banner.replace('This run', `Run ${label}`), '');
  }
  out.push(
    mdTable(
      ['metric', 'A', 'A 95 % CI', 'B', 'B 95 % CI', 'B − A', '95 % CI of B − A', 'agreement'],
      c.metrics.map((m) => [
        `\`${m.name}\``,
        metricValue(m.a),
        fmtInterval(m.a?.interval),
        metricValue(m.b),
        fmtInterval(m.b?.interval),
        m.difference === null ? '—' : fmt(m.difference),
        fmtInterval(m.interval),
        `**${m.agreement}**: ${m.reason}`,
      ]),
    ),
    '',
  );
  const counts = ['agree', 'differ', 'undetermined', 'not comparable'].map((k) => `${c.metrics.filter((m) => m.agreement === k).length} ${k}`);
  out.push(`${c.metrics.length} metrics: ${counts.join(', ')}.`, '');
  if (c.notes.length > 0) out.push('## Notes', '', ...c.notes.map((n) => `- ${n}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

export function comparisonJson(c: RunComparison): object {
  const run = (r: RunComparison['a']) => ({ dir: r.files.dir, run: r.files.manifest?.run ?? null, provider: r.platform.provider, emulated: r.platform.emulated, profile: r.platform.profile, planHash: r.files.plan.hash });
  return {
    v: 1,
    study: c.a.files.plan.study.id,
    a: run(c.a),
    b: run(c.b),
    metrics: c.metrics.map((m) => ({
      name: m.name,
      unit: m.unit,
      a: m.a ? summaryMetric(m.a) : null,
      b: m.b ? summaryMetric(m.b) : null,
      difference: m.difference,
      interval: m.interval,
      agreement: m.agreement,
      reason: m.reason,
    })),
    notes: c.notes,
  };
}
