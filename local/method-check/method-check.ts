/**
 * The method check of a local run: for each behaviour the platform modelled and the
 * study estimates, the truth (from the ground truth and the profile, which only the
 * platform knows) beside the analysis's estimate, and whether the method recovered it.
 *
 * The analysis never reads the ground truth: this runs after it, on its result, and its
 * section is added to the report by the local platform (run-local-study.ts). It answers a
 * different question from the claims: not "does the paper hold here?" (on an emulator that
 * models the paper's values, often by construction) but "did the method see what was there?".
 */
import { z } from 'zod';
import type { RunAnalysis } from '../../analysis';
import type { Metric } from '../../analysis/metrics';
import type { AnalysisKind } from '../../experiments/schema';
import type { GroundTruth } from '../ground-truth';
import type { PlatformProfile } from '../profiles';
import { adjustedRandIndex } from './adjusted-rand';

export const CheckVerdict = z.enum(['recovered', 'not recovered', 'not estimated']);
export type CheckVerdict = z.output<typeof CheckVerdict>;

export const Check = z.strictObject({
  behaviour: z.string(),
  truth: z.string(),
  estimate: z.string(),
  verdict: CheckVerdict,
  /** How recovery is decided, or why there is no estimate. */
  rule: z.string(),
});
export type Check = z.output<typeof Check>;

/** `<run>/report/method-check.json`, written beside summary.json on local runs. */
export const MethodCheck = z.strictObject({
  checks: z.array(Check),
  recovered: z.number().int().min(0),
  /** Checks with a verdict (recovered or not). */
  judged: z.number().int().min(0),
});
export type MethodCheck = z.output<typeof MethodCheck>;

interface CheckContext {
  analysis: RunAnalysis;
  truth: GroundTruth;
  profile: PlatformProfile;
  metric(name: string): Metric | null;
  /** Ground-truth instances that answered, by probe instance id. */
  answered: Map<string, GroundTruth['instances'][number]>;
}

/** Host assignment ≥ this adjusted Rand index is recovered. */
export const MIN_HOST_ARI = 0.95;

export function checkMethod(analysis: RunAnalysis, truth: GroundTruth, profile: PlatformProfile): MethodCheck {
  const answered = new Map(truth.instances.filter((i) => i.probeInstanceId && i.invocations > 0).map((i) => [i.probeInstanceId!, i]));
  const ctx: CheckContext = { analysis, truth, profile, metric: (name) => analysis.metrics.get(name) ?? null, answered };
  const checks = [...commonChecks(ctx), ...STUDY_CHECKS[analysis.files.plan.analysis.kind](ctx)];
  const judged = checks.filter((c) => c.verdict !== 'not estimated');
  return { checks, recovered: judged.filter((c) => c.verdict === 'recovered').length, judged: judged.length };
}

/** One line for the run summary, e.g. "the method recovered 5 of 5 modelled behaviours". */
export function describeMethodCheck(check: MethodCheck): string {
  const missed = check.checks.filter((c) => c.verdict === 'not recovered').map((c) => c.behaviour);
  const unestimated = check.checks.filter((c) => c.verdict === 'not estimated').length;
  return `the method recovered ${check.recovered} of ${check.judged} modelled behaviour(s)${missed.length ? ` (not: ${missed.join(', ')})` : ''}${unestimated ? `; ${unestimated} not estimated by this run` : ''}`;
}

export function methodCheckSection(check: MethodCheck, profile: PlatformProfile): { title: string; body: string } {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = check.checks.map((c) => `| ${cell(c.behaviour)} | ${cell(c.truth)} | ${cell(c.estimate)} | **${c.verdict}** | ${cell(c.rule)} |`);
  return {
    title: 'Method check (local platform only)',
    body: [
      `The local platform knows what it did (its ground truth and the \`${profile.name}\` profile); the analysis above never read it. For each behaviour the platform modelled and this study estimates, the truth beside the estimate: ${describeMethodCheck(check)}. This checks the method, not the paper: a claim judged *by construction* above is tested here instead.`,
      '',
      '| behaviour | truth | estimate | verdict | rule |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const estimateOf = (m: Metric | null) =>
  !m || m.value === null ? 'not measurable' : `${m.bound === 'lower' ? '≥ ' : ''}${typeof m.value === 'boolean' ? (m.value ? 'yes' : 'no') : fmt(m.value)}${m.interval ? ` (${fmt(m.interval[0])}–${fmt(m.interval[1])})` : ''}`;
const notEstimated = (behaviour: string, truth: string, m: Metric | null, why?: string): Check => ({
  behaviour,
  truth,
  estimate: 'not measurable',
  verdict: 'not estimated',
  rule: why ?? m?.reason ?? 'the analysis computes no such metric',
});
const verdict = (ok: boolean): CheckVerdict => (ok ? 'recovered' : 'not recovered');

function commonChecks(ctx: CheckContext): Check[] {
  const { analysis, answered } = ctx;
  const checks: Check[] = [
    {
      behaviour: 'instances that answered',
      truth: String(answered.size),
      estimate: String(analysis.hosts.instances),
      verdict: verdict(answered.size === analysis.hosts.instances),
      rule: 'equal counts (the probe\'s instance ids)',
    },
  ];
  if (answered.size >= 2) {
    const inferred = new Map([...analysis.hosts.hostOf].map(([id, host]) => [id, host.id]));
    const real = new Map([...answered].map(([id, i]) => [id, i.host]));
    const unassigned = answered.size - inferred.size;
    // An instance the analysis could not place counts as a host of its own.
    for (const id of answered.keys()) if (!inferred.has(id)) inferred.set(id, `unassigned:${id}`);
    const ari = adjustedRandIndex(inferred, real);
    checks.push({
      behaviour: 'host assignment',
      truth: `${new Set(real.values()).size} hosts`,
      estimate: `${analysis.hosts.hosts.length} inferred hosts${unassigned ? `, ${unassigned} instance(s) unplaced` : ''}; adjusted Rand index ${ari.toFixed(3)}`,
      verdict: verdict(ari >= MIN_HOST_ARI),
      rule: `adjusted Rand index of inferred vs true hosts ≥ ${MIN_HOST_ARI}`,
    });
  }
  return checks;
}

const STUDY_CHECKS: Record<AnalysisKind, (ctx: CheckContext) => Check[]> = {
  coldstart: (ctx) => {
    const { truth, profile } = ctx;
    const openings = [...ctx.answered.values()].filter((i) => i.newHost).length;
    const opened = ctx.metric('coldstart.hostOpenings');
    const checks: Check[] = [
      opened?.value == null
        ? notEstimated('host openings (a host\'s first instance)', String(openings), opened)
        : { behaviour: 'host openings (a host\'s first instance)', truth: String(openings), estimate: estimateOf(opened), verdict: verdict(opened.value === openings), rule: 'equal counts' },
    ];
    const coldOk = truth.invocations.filter((i) => i.outcome === 'ok' && i.cold).length;
    const cold = ctx.metric('coldstart.coldMedianMs');
    const natural = ctx.metric('coldstart.naturalColdMedianMs');
    const seen = (cold?.n ?? 0) + (natural?.n ?? 0);
    checks.push({ behaviour: 'cold starts', truth: String(coldOk), estimate: String(seen), verdict: verdict(seen === coldOk), rule: 'cold requests the analysis counted = first requests of instances the platform answered' });
    const penalty = ctx.metric('coldstart.newHostPenaltyMs');
    const delay = profile.lifecycle.newHostDelayMs;
    checks.push(
      penalty?.value == null || !penalty.interval
        ? notEstimated('new-host penalty', `${delay} ms (lifecycle.newHostDelayMs)`, penalty)
        : {
            behaviour: 'new-host penalty',
            truth: `${delay} ms (lifecycle.newHostDelayMs)`,
            estimate: `${estimateOf(penalty)} ms`,
            verdict: verdict(penalty.interval[0] <= delay && delay <= penalty.interval[1]),
            rule: 'the 95 % interval contains the modelled delay',
          },
    );
    return checks;
  },
  placement: (ctx) => {
    const { truth, profile } = ctx;
    // The same quantity from the truth: most memory of the instances that answered in one step on one true host.
    const instances = new Map(truth.instances.map((i) => [i.id, i]));
    const byCell = new Map<string, { memory: number; instances: number }>();
    const seen = new Set<string>();
    for (const inv of truth.invocations) {
      if (inv.outcome !== 'ok' || inv.step === null || !inv.instance || seen.has(`${inv.step}|${inv.instance}`)) continue;
      seen.add(`${inv.step}|${inv.instance}`);
      const inst = instances.get(inv.instance)!;
      const cell = byCell.get(`${inv.step}|${inst.host}`) ?? { memory: 0, instances: 0 };
      cell.memory += inst.memoryMb;
      cell.instances += 1;
      byCell.set(`${inv.step}|${inst.host}`, cell);
    }
    const trueMax = Math.max(0, ...[...byCell.values()].map((c) => c.memory));
    // Packed by the analysis's own definition, on the true hosts: median over steps of hosts used / the fewest that could hold the step.
    const steps = new Map<string, { hosts: number; memory: number }>();
    for (const [key, cell] of byCell) {
      const step = key.slice(0, key.indexOf('|'));
      const s = steps.get(step) ?? { hosts: 0, memory: 0 };
      s.hosts += 1;
      s.memory += cell.memory;
      steps.set(step, s);
    }
    const ratios = [...steps.values()].map((s) => s.hosts / Math.ceil(s.memory / profile.placement.hostMemoryMb)).sort((a, b) => a - b);
    const perMinimum = ratios.length ? ratios[Math.floor(ratios.length / 2)]! : Number.NaN;
    const truePacked = perMinimum <= 1.5 && [...byCell.values()].some((c) => c.instances >= 2);
    const max = ctx.metric('placement.maxHostMemoryMb');
    const packed = ctx.metric('placement.binPacked');
    return [
      max?.value == null
        ? notEstimated('most memory on one host', `${trueMax} MB (capacity ${profile.placement.hostMemoryMb} MB)`, max)
        : { behaviour: 'most memory on one host', truth: `${trueMax} MB (capacity ${profile.placement.hostMemoryMb} MB)`, estimate: `${estimateOf(max)} MB`, verdict: verdict(max.value === trueMax), rule: 'equal: the most configured memory answering on one true host in one step' },
      packed?.value == null
        ? notEstimated('bin-packing', profile.placement.policy, packed)
        : {
            behaviour: 'bin-packing',
            truth: `${truePacked ? 'yes' : 'no'} (policy ${profile.placement.policy}; true hosts per minimum ${fmt(perMinimum)})`,
            estimate: estimateOf(packed),
            verdict: verdict(packed.value === truePacked),
            rule: 'the analysis\'s definition (hosts per minimum ≤ 1.5, a host with two or more instances) on the true hosts and capacity',
          },
    ];
  },
  isolation: (ctx) => {
    const tenants = new Map<string, Set<string>>();
    for (const i of ctx.answered.values()) tenants.set(i.host, (tenants.get(i.host) ?? new Set()).add(i.tenant));
    const shared = [...tenants.values()].filter((t) => t.size > 1).length;
    const m = ctx.metric('isolation.crossTenantHosts');
    return [
      m?.value == null
        ? notEstimated('hosts shared by tenants', String(shared), m)
        : { behaviour: 'hosts shared by tenants', truth: `${shared} (tenancy ${ctx.profile.placement.tenancy})`, estimate: estimateOf(m), verdict: verdict(m.value === shared), rule: 'equal counts over the hosts of answering instances' },
    ];
  },
  scalability: (ctx) => {
    const plan = ctx.analysis.files.plan;
    const bursts = plan.steps.filter((s) => s.kind === 'burst');
    const top = Math.max(...bursts.map((s) => Math.min(s.requests, s.concurrency)));
    const topSteps = new Set(bursts.filter((s) => Math.min(s.requests, s.concurrency) === top).map((s) => s.index));
    const perStep = new Map<number, Set<string>>();
    for (const inv of ctx.truth.invocations) if (inv.outcome === 'ok' && inv.step !== null && topSteps.has(inv.step) && inv.instance) perStep.set(inv.step, (perStep.get(inv.step) ?? new Set()).add(inv.instance));
    const distinct = [...perStep.values()].reduce((s, set) => s + set.size, 0);
    const trueRatio = distinct / (top * topSteps.size);
    const m = ctx.metric('scalability.instanceRatioAtMax');
    const knobs = `scale-out fraction ${ctx.profile.scaling.scaleOutFraction}, at most ${ctx.profile.scaling.maxInstancesPerFunction ?? '∞'} instances per function`;
    return [
      m?.value == null
        ? notEstimated('instances per request at the highest level', fmt(trueRatio), m)
        : { behaviour: 'instances per request at the highest level', truth: `${fmt(trueRatio)} (${knobs})`, estimate: estimateOf(m), verdict: verdict(Math.abs((m.value as number) - trueRatio) <= 0.02), rule: 'within 0.02 of the distinct instances the platform used per request' },
    ];
  },
  lifetime: (ctx) => {
    const { truth } = ctx;
    const hours = truth.instances.map((i) => i.maxLifetimeMs).filter((x): x is number => x !== null).map((ms) => ms / 3_600_000);
    const m = ctx.metric('lifetime.medianHours');
    const checks: Check[] = [];
    if (hours.length === 0) {
      checks.push({ behaviour: 'median lifetime', truth: 'no lifetime limit', estimate: estimateOf(m), verdict: verdict(m?.bound === 'lower' || m?.value === null), rule: 'no limit: the estimate stays a lower bound' });
    } else {
      const median = [...hours].sort((a, b) => a - b)[Math.floor(hours.length / 2)]!;
      const truthText = `${fmt(median)} h (median drawn lifetime of ${hours.length} instances)`;
      if (m?.value == null) checks.push(notEstimated('median lifetime', truthText, m));
      else if (m.bound === 'lower') checks.push({ behaviour: 'median lifetime', truth: truthText, estimate: `${estimateOf(m)} h`, verdict: verdict((m.value as number) <= median), rule: 'a lower bound at or below the true median' });
      else if (m.interval) checks.push({ behaviour: 'median lifetime', truth: truthText, estimate: `${estimateOf(m)} h`, verdict: verdict(m.interval[0] <= median && median <= m.interval[1]), rule: 'the 95 % interval contains the median drawn lifetime' });
      else checks.push({ behaviour: 'median lifetime', truth: truthText, estimate: `${estimateOf(m)} h`, verdict: verdict(Math.abs((m.value as number) - median) <= 0.1 * median), rule: 'within 10 % (no interval)' });
    }
    const ended = (...reasons: string[]) => truth.instances.filter((i) => i.probeInstanceId && reasons.includes(i.endReason ?? '')).length;
    const deaths = ctx.metric('lifetime.deaths');
    const surplus = ctx.metric('lifetime.surplusEnds');
    if (deaths?.value != null && surplus?.value != null) {
      const [d, other] = [ended('lifetime'), ended('idle', 'shutdown')];
      const est = deaths.value as number;
      checks.push({
        behaviour: 'ends by lifetime (idle ends a competing risk)',
        truth: `${d} by lifetime; ${other} idle or unused at the end`,
        estimate: `${est} by lifetime; ${surplus.value} surplus (censored)`,
        // Ends in the last bursts are censored, and a lifetime end that a spare instance covered needs no replacement: allow for both.
        verdict: verdict(est <= d && est >= d - Math.max(2, 0.2 * d) && (surplus.value as number) <= other + (d - est)),
        rule: 'lifetime ends at most the truth and within max(2, 20 %) of it; surplus ends no more than the idle or unused ones',
      });
    }
    return checks;
  },
  'idle-recycling': (ctx) => {
    const minutes = [...ctx.answered.values()].map((i) => i.idleTimeoutMs / 60_000);
    const lo = Math.min(...minutes);
    const hi = Math.max(...minutes);
    const truthText = lo === hi ? `${fmt(lo)} min` : `${fmt(lo)}–${fmt(hi)} min (drawn per instance)`;
    const m = ctx.metric('idle.maxSurvivedGapMinutes');
    const checks: Check[] = [];
    if (m?.value == null) checks.push(notEstimated('idle timeout', truthText, m));
    else if (m.bound === 'lower') checks.push({ behaviour: 'idle timeout', truth: truthText, estimate: `${estimateOf(m)} min`, verdict: verdict((m.value as number) <= hi), rule: 'instances survived every gap: the bound is at most the longest drawn timeout' });
    else {
      const [a, b] = m.interval ?? [m.value as number, m.value as number];
      checks.push({ behaviour: 'idle timeout', truth: truthText, estimate: `between ${fmt(a)} and ${fmt(b)} min`, verdict: verdict(a <= hi && b >= lo), rule: 'the bracket (longest gap survived, next gap none survived) meets the drawn timeouts' });
    }
    return checks;
  },
  'cpu-share': (ctx) => {
    const byMemory = new Map<number, number[]>();
    for (const i of ctx.answered.values()) if (i.cpuQuotaVcpus !== null) byMemory.set(i.memoryMb, [...(byMemory.get(i.memoryMb) ?? []), i.cpuQuotaVcpus]);
    const loneMedian = new Map<number, number>();
    for (const m of byMemory.keys()) {
      const value = ctx.metric(`cpuShare.loneMedian.m${m}`)?.value;
      if (typeof value === 'number') loneMedian.set(m, value);
    }
    if (!ctx.truth.cpuQuotaApplied || byMemory.size === 0) {
      return [{ behaviour: 'CPU share vs quota', truth: 'no per-instance quota', estimate: '—', verdict: 'not estimated', rule: ctx.truth.cpuQuotaApplied ? 'the profile sets no per-instance quota' : 'CPU quotas were not applied on this machine' }];
    }
    const rows = [...byMemory.entries()].sort((a, b) => a[0] - b[0]).filter(([m]) => loneMedian.has(m));
    if (rows.length === 0) return [notEstimated('CPU share vs quota', 'quota per memory', null, 'no lone measurement')];
    // A single-threaded loop can use at most one vCPU of its quota.
    const diffs = rows.map(([m, quotas]) => ({ m, quota: Math.min(1, quotas.sort((a, b) => a - b)[Math.floor(quotas.length / 2)]!), share: loneMedian.get(m)! }));
    const worst = Math.max(...diffs.map((d) => Math.abs(d.share - d.quota)));
    const machine = ctx.analysis.files.manifest?.local?.machine;
    const loaded = machine && machine.load.loadAverage.median / machine.cpus > 1 ? `; this machine was oversubscribed (load average ${fmt(machine.load.loadAverage.median)} on ${machine.cpus} cores), so a lone instance may get less than a large quota` : '';
    return [
      {
        behaviour: 'CPU share vs quota (alone)',
        truth: diffs.map((d) => `${d.m} MB: ${fmt(d.quota)}`).join(', '),
        estimate: diffs.map((d) => `${d.m} MB: ${fmt(d.share)}`).join(', '),
        verdict: verdict(worst <= 0.1),
        rule: `each lone median share within 0.1 of min(1, quota in vCPUs)${loaded}`,
      },
    ];
  },
  contention: (ctx) => {
    const debasedTypes = new Set(ctx.profile.hostTypes.filter((t) => Object.entries(t).some(([k, v]) => k.endsWith('Factor') && typeof v === 'number' && v < 1)).map((t) => t.name));
    const hostType = new Map(ctx.truth.hosts.map((h) => [h.id, h.type]));
    const all = [...ctx.answered.values()];
    const onDebased = all.filter((i) => debasedTypes.has(hostType.get(i.host) ?? '')).length;
    const fraction = all.length ? onDebased / all.length : 0;
    const m = ctx.metric('contention.debasedInstanceFraction');
    return [
      m?.value == null
        ? notEstimated('instances on debased hosts', fmt(fraction), m)
        : {
            behaviour: 'instances on debased hosts',
            truth: `${fmt(fraction)} (${onDebased} of ${all.length})`,
            estimate: estimateOf(m),
            verdict: verdict(Math.abs((m.value as number) - fraction) <= 0.1),
            rule: 'within 0.1 of the fraction on host types slower than the best',
          },
    ];
  },
  'update-consistency': (ctx) => {
    const { truth } = ctx;
    const windows = truth.updates.map((u) => ((u.staleUntil - u.at) * truth.timeScale) / 1000);
    const window = windows.length ? Math.max(...windows) : 0;
    const staleTrue = truth.invocations.filter((i) => i.outcome === 'ok' && i.stale).length;
    const count = ctx.metric('update.staleResponses');
    const m = ctx.metric('update.staleWindowSeconds');
    const checks: Check[] = [
      count?.value == null
        ? notEstimated('stale responses', String(staleTrue), count)
        : { behaviour: 'stale responses', truth: String(staleTrue), estimate: estimateOf(count), verdict: verdict(count.value === staleTrue), rule: 'equal counts' },
    ];
    if (window === 0) checks.push({ behaviour: 'stale window', truth: '0 s (updates apply at once)', estimate: m?.value == null ? 'none' : `${estimateOf(m)} s`, verdict: verdict(m?.value == null || m.value === 0), rule: 'no stale response' });
    else if (m?.value == null) checks.push(notEstimated('stale window', `${fmt(window)} s`, m));
    else checks.push({ behaviour: 'stale window', truth: `${fmt(window)} s`, estimate: `${estimateOf(m)} s`, verdict: verdict((m.value as number) <= window * 1.1 && (m.value as number) >= window * 0.75), rule: 'the longest stale response within 75–110 % of the window (requests arrive in bursts)' });
    return checks;
  },
  accounting: (ctx) => {
    const freezes = ctx.profile.lifecycle.freezeBetweenInvocations;
    const m = ctx.metric('accounting.unbilledWorkRatio');
    if (m?.value == null) return [notEstimated('work after the response', freezes ? 'frozen' : 'runs on', m)];
    return [
      {
        behaviour: 'work after the response',
        truth: freezes ? 'frozen when the handler returns' : 'keeps running unbilled',
        estimate: `${estimateOf(m)} work-s per billed s`,
        verdict: verdict(freezes ? (m.value as number) <= 0.1 : (m.value as number) > 1),
        rule: 'frozen: at most 0.1; running on: more work than billed',
      },
    ];
  },
};
