/** report.md of an analysed run. */
import type { RunAnalysis } from '../analyze-run';
import { describeExpectation } from '../claims';
import { fmt, fmtInterval, fmtPercent, mdTable } from '../format';
import type { Metric } from '../metrics';
import { STATUSES } from '../run/ledger';
import type { Section } from '../studies/analysis';
import { PROVIDER_NAMES } from '../run/platform';
import { twinCallsSection } from './twin-calls-section';


export function metricValue(m: Metric | null | undefined): string {
  if (!m || m.value === null) return 'not measurable';
  if (typeof m.value === 'boolean') return m.value ? 'yes' : 'no';
  const unit = m.unit && m.unit !== 'fraction' ? ` ${m.unit}` : '';
  return `${m.bound === 'lower' ? '≥ ' : ''}${fmt(m.value)}${unit}`;
}

/** The banner every report of a local run starts with. */
export function emulationBanner(a: Pick<RunAnalysis, 'platform'>): string | null {
  const p = a.platform;
  if (!p.emulated) return null;
  const models = p.modelled ? `, which models ${PROVIDER_NAMES[p.modelled]} as the paper measured it` : '';
  const scale = p.timeScaleKnown
    ? `Waits and platform timers ran ${fmt(p.timeScale)}× faster than real time; durations of platform behaviour (instance lifetimes, idle gaps, time since an update) are reported in platform time (measured × ${fmt(p.timeScale)}); latencies and throughputs are real and unscaled.`
    : 'run.json is missing, so the time scale is unknown and taken as 1.';
  const quota = p.cpuQuota ? ` CPU quotas proportional to memory were ${p.cpuQuota.applied ? 'applied' : `not applied (${p.cpuQuota.reason ?? 'no reason given'})`}.` : '';
  const faults = p.faults.length > 0 ? ` Injected faults: ${p.faults.join(', ')}.` : '';
  const m = p.machine;
  const floor = m?.floor
    ? ` Its floor (no-op requests through this platform without the latency the profile models, ${m.floor.concurrency} at once): cold ${Object.entries(m.floor.coldStartMs).map(([r, ms]) => `${fmt(ms)} ms (${r})`).join(', ')}, warm ${fmt(m.floor.warmMs)} ms.`
    : '';
  const machine = m ? ` This machine: ${m.cpus} cores, load average ${fmt(m.load.loadAverage.median)} (max ${fmt(m.load.loadAverage.max)}) during the run.${floor}` : '';
  return `> **Emulated platform.** This run used Curtain's embedded local platform (profile \`${p.profile ?? 'unknown'}\`${models}), not a cloud. ${scale}${quota}${faults}${machine}`;
}

/** `appendix`: sections a caller adds after the claims (the local platform's method check). */
export function renderReport(a: RunAnalysis, figureFiles: string[], notes: string[], appendix: readonly Section[] = []): string {
  const { files, platform, ledger, stream, hosts, output } = a;
  const plan = files.plan;
  const m = files.manifest;
  const out: string[] = [];
  out.push(`# ${plan.study.title}`, '');
  const banner = emulationBanner(a);
  if (banner) out.push(banner, '');
  out.push(
    mdTable(
      ['', ''],
      [
        ['study', `${plan.study.id} (paper ${plan.study.experiment}, ${plan.study.section})`],
        ['platform', platform.emulated ? `local, profile ${platform.profile ?? 'unknown'}` : `${PROVIDER_NAMES[platform.provider] ?? platform.provider}, ${plan.region} (${plan.hosting})`],
        ['run', m ? `${m.run}, ${m.status}, ${m.startedAt} → ${m.endedAt ?? 'not ended'}${m.resumes?.length ? `; resumed ${m.resumes.length}× on a new platform (from step ${m.resumes.map((r) => r.fromStep + 1).join(', ')})` : ''}` : 'unknown (run.json missing)'],
        ['plan', `${plan.hash.slice(0, 16)}…, ${plan.steps.length} steps, ${plan.invocations} requests; plan.json matches its hash (checked)`],
        ['tool', m ? `${m.tool.name} ${m.tool.version}` : 'unknown'],
        ['analysis', `${plan.analysis.kind}: ${a.definition.description}`],
      ],
    ),
    '',
  );

  out.push('## Claims', '');
  if (a.claims.checked.length === 0) {
    out.push(a.claims.note ? `No claim is checked: ${a.claims.note}.` : 'The study lists no claim about this platform.', '');
  } else {
    out.push(
      mdTable(
        ['claim', 'confidence', 'paper', 'this run', '95 % CI', 'verdict'],
        a.claims.checked.map((c) => [
          `${c.claim.statement} (\`${c.claim.id}\`)`,
          c.claim.confidence,
          describeExpectation(c.claim.expected),
          metricValue(c.metric),
          fmtInterval(c.metric?.interval),
          `**${c.verdict}**: ${c.reason}${c.flags.map((f) => ` ⚠ ${f}`).join('')}`,
        ]),
      ),
      '',
      'Confidence labels: P the paper\'s words, C the authors\' code, S a second-hand summary, R recollection. A claim is consistent when the run\'s 95 % interval (or value, without one) meets the expectation; that comparison counts only on measured behaviour: a value a profile knob sets is *by construction*, a latency at this machine\'s floor *machine-limited*, a value on less than the claim\'s minimum evidence *insufficient evidence* (docs/analysis.md "Verdicts").',
      '',
    );
    const phased = a.claims.checked.filter((c) => c.metric?.phase);
    if (phased.length > 0) out.push(`Latency claims are judged on the phase named in the metric (\`${phased[0]!.metric!.phase}\` unless the claim names another; section "Latency phases").`, '');
    const since = a.claims.checked.filter((c) => c.claim.since2018);
    if (since.length > 0) out.push('Since 2018:', ...since.map((c) => `- \`${c.claim.id}\`: ${c.claim.since2018}`), '');
  }
  if (a.claims.otherPlatforms.length > 0) {
    out.push(`Not checked (about other platforms): ${a.claims.otherPlatforms.map((c) => `\`${c.id}\` (${c.provider})`).join(', ')}.`, '');
  }

  for (const section of appendix) out.push(`## ${section.title}`, '', section.body, '');
  // Only a run made by an offline twin has twin.json: its API calls per identity and the grants never used.
  for (const section of files.twin ? [twinCallsSection(files.twin)] : []) out.push(`## ${section.title}`, '', section.body, '');

  out.push('## Records', '');
  out.push(
    mdTable(
      ['label', ...STATUSES, 'total'],
      [
        ...ledger.byLabel.map((l) => [l.label, ...STATUSES.map((s) => l.counts[s]), STATUSES.reduce((sum, s) => sum + l.counts[s], 0)]),
        ['**all**', ...STATUSES.map((s) => ledger.byStatus[s]), ledger.records],
      ],
    ),
    '',
  );
  const failures = ledger.records - ledger.byStatus.ok;
  out.push(
    `${ledger.records.toLocaleString('en-US')} records for ${ledger.planned.toLocaleString('en-US')} planned requests; ${failures} failed or skipped (${fmtPercent(failures / Math.max(1, ledger.records))}); ${ledger.retried} needed retries${ledger.resent > 0 ? `; ${ledger.resent} were sent again after a driver died having begun to send them (they may have reached a probe more than once)` : ''}.`,
    '',
  );
  if (ledger.errors.length > 0) {
    out.push('Most frequent failure messages (numbers folded to N):', '', mdTable(['status', 'count', 'message'], ledger.errors.slice(0, 10).map((e) => [e.status, e.count, e.message])), '');
  }
  if (ledger.missing > 0 || ledger.duplicated > 0) {
    out.push(
      `**Incomplete:** ${ledger.missing} planned request(s) have no record and ${ledger.duplicated} have more than one.`,
      '',
      mdTable(['step', 'planned', 'missing', 'duplicated'], ledger.incompleteSteps.slice(0, 30).map((s) => [s.stepId, s.planned, s.missing, s.duplicated])),
      '',
    );
  }
  if (stream.malformed === 0) out.push(`All ${stream.lines.toLocaleString('en-US')} lines of ${stream.files} shard file(s) are valid records.`, '');
  else {
    out.push(
      `**${stream.malformed} malformed line(s)** of ${stream.lines.toLocaleString('en-US')} in ${stream.files} shard file(s) were skipped${stream.malformedLines.length < stream.malformed ? ` (the first ${stream.malformedLines.length} are listed)` : ''}:`,
      '',
      mdTable(['file', 'line', 'reason'], stream.malformedLines.map((l) => [l.file, l.line, l.reason])),
      '',
    );
  }

  out.push('## Hosts', '');
  out.push(
    `${hosts.instances} instances answered; ${hosts.assigned} were placed on ${hosts.hosts.length} inferred host(s) (method in docs/analysis.md).`,
    '',
    mdTable(['signal', 'instances reporting it', 'used', 'note'], hosts.signals.map((s) => [s.signal, s.present, s.used ? 'yes' : 'no', s.note])),
    '',
  );

  for (const section of output.sections) out.push(`## ${section.title}`, '', section.body, '');

  if (output.figures.length > 0) {
    out.push('## Figures', '');
    output.figures.forEach((f, i) =>
      out.push(`### ${f.title}`, '', figureFiles[i] ? `![${f.title}](${figureFiles[i]})` : '(this figure could not be rendered; see Notes)', '', f.caption, ''),
    );
  }

  out.push('## Metrics', '');
  out.push(
    mdTable(
      ['metric', 'value', '95 % CI', 'n', 'method'],
      output.metrics.map((x) => [
        `\`${x.name}\`${x.phase ? ` (${x.phase} latency)` : ''}`,
        metricValue(x),
        fmtInterval(x.interval),
        x.n,
        x.value === null ? `not measurable: ${x.reason ?? ''}` : x.method,
      ]),
    ),
    '',
  );
  if (notes.length > 0) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
