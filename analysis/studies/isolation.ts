/**
 * E1: tenant isolation. Every instance belongs to the tenant of the plan
 * function it served; a host that carried instances of more than one tenant
 * over the run is a cross-tenant host. Co-residency is judged from
 * fingerprints, and where the run has `channel` bursts, checked pair by pair
 * against the covert channel, as the paper did (covert-channel-pairs.ts).
 */
import { stackedBarChart } from '../figures/charts';
import { fmtPercent, mdTable } from '../format';
import type { HostInference } from '../hosts/infer-hosts';
import { type Metric, notMeasurable } from '../metrics';
import { wilsonInterval } from '../stats/proportion';
import { type AnalysisDefinition, type AnalysisOutput, hostsUnusable } from './analysis';
import { CHANCE_LEVEL, type ChannelPair, ChannelPairs } from './covert-channel-pairs';
import { absoluteMargin, exactMargin } from '../margins';

/** Hosts shown in the figure, busiest first. */
const FIGURE_HOSTS = 40;

export const isolationAnalysis: AnalysisDefinition = {
  kind: 'isolation',
  description: 'inferred hosts that carried instances of more than one tenant',
  create(ctx) {
    const channel = new ChannelPairs();
    return {
      add(record, instance) {
        // Everything else this analysis needs is in the shared instance table.
        channel.add(record, instance);
      },
      finish() {
        const hosts = ctx.hosts();
        const channelOutput = channelAgreement(channel, hosts);
        const countName = 'isolation.crossTenantHosts';
        const countDescription = 'hosts that carried instances of more than one tenant';
        const fractionName = 'isolation.crossTenantInstanceFraction';
        const fractionDescription = 'fraction of instances on a host shared with another tenant';
        const tenants = [...new Set(ctx.instances.all().map((i) => i.tenant))].sort();
        const unusable =
          hostsUnusable(hosts) ?? (tenants.length < 2 ? `only tenant ${tenants[0] ?? '(none)'}'s instances answered; isolation needs two tenants` : null);
        if (unusable) {
          return {
            metrics: [notMeasurable(countName, countDescription, 'hosts', unusable), notMeasurable(fractionName, fractionDescription, 'fraction', unusable), ...channelOutput.metrics],
            figures: [],
            sections: channelOutput.sections,
            notes: [`Tenant isolation is not measurable: ${unusable}.`, ...channelOutput.notes],
          };
        }
        const rows = hosts.hosts.map((h) => {
          const byTenant = new Map<string, number>();
          for (const i of h.instances) byTenant.set(i.tenant, (byTenant.get(i.tenant) ?? 0) + 1);
          return { host: h, byTenant };
        });
        const cross = rows.filter((r) => r.byTenant.size > 1);
        const onCross = cross.reduce((sum, r) => sum + r.host.instances.length, 0);
        const interval = wilsonInterval(onCross, hosts.assigned);
        const metrics: Metric[] = [
          { name: countName, description: countDescription, unit: 'hosts', value: cross.length, interval: null, method: `observed count over ${hosts.hosts.length} inferred hosts`, n: hosts.hosts.length },
          {
            name: fractionName,
            description: fractionDescription,
            unit: 'fraction',
            value: hosts.assigned > 0 ? onCross / hosts.assigned : 0,
            interval: interval ? [interval.lower, interval.upper] : null,
            method: `${onCross} of ${hosts.assigned} instances; Wilson 95 % CI`,
            n: hosts.assigned,
          },
          ...channelOutput.metrics,
        ];
        const busiest = [...rows].sort((a, b) => b.byTenant.size - a.byTenant.size || b.host.instances.length - a.host.instances.length).slice(0, FIGURE_HOSTS);
        const segments = busiest.flatMap((r) => [...r.byTenant.entries()].map(([tenant, n]) => ({ category: r.host.id, value: n, segment: `tenant ${tenant}` })));
        const summary = tenants.map((t) => {
          const own = rows.filter((r) => r.byTenant.has(t));
          return [t, own.reduce((s, r) => s + (r.byTenant.get(t) ?? 0), 0), own.length, own.filter((r) => r.byTenant.size > 1).length];
        });
        return {
          metrics,
          figures: [
            {
              file: 'isolation-tenants-per-host.svg',
              title: 'Instances per host by tenant',
              caption: `Instances on each inferred host, coloured by tenant (cross-tenant hosts first, then the busiest; at most ${FIGURE_HOSTS} hosts). A bar with two colours is a host shared by tenants.`,
              spec: stackedBarChart({ title: 'Tenants per inferred host', xTitle: 'inferred host', yTitle: 'instances', segments, segmentTitle: 'tenant', integerY: true }),
            },
          ],
          sections: [
            {
              title: 'Tenants and hosts',
              body: `${mdTable(['tenant', 'instances', 'hosts used', 'of which shared with another tenant'], summary)}\n\n${cross.length} of ${hosts.hosts.length} hosts (${fmtPercent(cross.length / Math.max(1, hosts.hosts.length))}) carried more than one tenant, by fingerprints; the covert channel's check of them follows where the run had one.`,
            },
            ...channelOutput.sections,
          ],
          notes: channelOutput.notes,
        };
      },
    };
  },
  margins: {
    'isolation.crossTenantHosts': exactMargin('one host shared by two tenants is the finding (the claims are 0 and at least 1)'),
    'isolation.crossTenantInstanceFraction': absoluteMargin(0.05, 'one instance in twenty: below it the share of exposed instances is the same for a reader'),
    'isolation.channelPairs': absoluteMargin(5, 'how many pairs were tested follows the plan and which instances answered; a few pairs more or less test the same thing'),
    'isolation.channelAgreement': absoluteMargin(0.05, 'one pair in twenty: below it the channel confirms the fingerprints equally well'),
    'isolation.channelBitErrorRateSameHost': absoluteMargin(0.1, 'one bit in ten: a channel that clears chance (one half) by that much is as usable either way'),
    'isolation.channelBitErrorRateOtherHosts': absoluteMargin(0.1, 'one bit in ten around the one half of a random decode: chance either way'),
    'isolation.channelCrossTenantPairs': exactMargin('one pair of tenants the channel confirms on one host is the finding'),
  },
};

/** Pairs listed in the report where the channel and the fingerprints disagree. */
const LISTED_DISAGREEMENTS = 20;

/** Fingerprint-vs-channel agreement over every decoded pair, with the channel's bit error rates. */
function channelAgreement(channel: ChannelPairs, hosts: HostInference): Pick<AnalysisOutput, 'metrics' | 'sections' | 'notes'> {
  const names = {
    pairs: ['isolation.channelPairs', 'sender-receiver pairs the covert channel tested (both instances with an inferred host)', 'pairs'],
    agreement: ['isolation.channelAgreement', 'fraction of tested pairs where the channel and the fingerprints agree on co-residency', 'fraction'],
    berSame: ['isolation.channelBitErrorRateSameHost', 'bit error rate of the channel between instances the fingerprints put on one host', 'fraction'],
    berOther: ['isolation.channelBitErrorRateOtherHosts', 'bit error rate of the channel between instances the fingerprints put on different hosts', 'fraction'],
    cross: ['isolation.channelCrossTenantPairs', 'pairs of different tenants the channel heard (confirmed co-resident)', 'pairs'],
  } as const;
  const pairs = channel.pairs(hosts).filter((p): p is ChannelPair & { sameHost: boolean } => p.sameHost !== null);
  if (pairs.length === 0) {
    const why = channel.size === 0 ? 'the run has no covert-channel burst (label `channel`)' : 'no channel pair could be decoded with both instances on an inferred host';
    return { metrics: Object.values(names).map(([n, d, u]) => notMeasurable(n, d, u, why)), sections: [], notes: [] };
  }
  const agree = pairs.filter((p) => p.heard === p.sameHost);
  const agreement = wilsonInterval(agree.length, pairs.length);
  const ber = (group: ChannelPair[], [name, description, unit]: readonly [string, string, string]): Metric => {
    const bits = group.reduce((s, p) => s + p.bits, 0);
    if (bits === 0) return notMeasurable(name, description, unit, 'no such pair was tested');
    const errors = group.reduce((s, p) => s + p.errors, 0);
    const ci = wilsonInterval(errors, bits);
    return { name, description, unit, value: errors / bits, interval: ci ? [ci.lower, ci.upper] : null, method: `${errors} of ${bits} bits over ${group.length} pairs; Wilson 95 % CI (bits of one pair are not independent: read it as a lower bound on the uncertainty)`, n: group.length };
  };
  const same = pairs.filter((p) => p.sameHost);
  const other = pairs.filter((p) => !p.sameHost);
  const crossHeard = pairs.filter((p) => p.heard && p.sender.tenant !== p.receiver.tenant);
  const metrics: Metric[] = [
    { name: names.pairs[0], description: names.pairs[1], unit: names.pairs[2], value: pairs.length, interval: null, method: `observed count over ${new Set(pairs.map((p) => p.step)).size} channel burst(s)`, n: pairs.length },
    {
      name: names.agreement[0],
      description: names.agreement[1],
      unit: names.agreement[2],
      value: agree.length / pairs.length,
      interval: agreement ? [agreement.lower, agreement.upper] : null,
      method: `${agree.length} of ${pairs.length} pairs; Wilson 95 % CI`,
      n: pairs.length,
    },
    ber(same, names.berSame),
    ber(other, names.berOther),
    { name: names.cross[0], description: names.cross[1], unit: names.cross[2], value: crossHeard.length, interval: null, method: `observed count over ${pairs.filter((p) => p.sender.tenant !== p.receiver.tenant).length} cross-tenant pairs`, n: pairs.length },
  ];
  const cell = (sameHost: boolean, heard: boolean) => pairs.filter((p) => p.sameHost === sameHost && p.heard === heard).length;
  const disagreements = pairs.filter((p) => p.heard !== p.sameHost);
  const hostOf = (i: { id: string }) => hosts.hostOf.get(i.id)?.id ?? '?';
  const rows = disagreements
    .slice(0, LISTED_DISAGREEMENTS)
    .map((p) => [p.sender.id, p.receiver.id, `${p.sender.tenant}/${p.receiver.tenant}`, `${hostOf(p.sender)} / ${hostOf(p.receiver)}`, `${p.errors} of ${p.bits}`, fmtPercent(p.contrast), p.pValue.toFixed(4)]);
  const body = [
    `Each pair is one frame: its sender wrote in the 1-slots of a known balanced pattern, and the receiver timed its own writes in every slot. A pair is **heard** when the receiver was held up more in the pattern's 1-slots than in its 0-slots by a margin random labels of the slots reach with probability below ${CHANCE_LEVEL * 100} % (a permutation test). The bit error rate is the receiver's blind decode (its most held-up half of the slots) against the pattern.`,
    '',
    mdTable(['fingerprints say', 'channel heard', 'channel not heard', 'bit error rate'], [
      ['same host', cell(true, true), cell(true, false), same.length > 0 ? fmtPercent(same.reduce((s, p) => s + p.errors, 0) / same.reduce((s, p) => s + p.bits, 0)) : 'n/a'],
      ['different hosts', cell(false, true), cell(false, false), other.length > 0 ? fmtPercent(other.reduce((s, p) => s + p.errors, 0) / other.reduce((s, p) => s + p.bits, 0)) : 'n/a'],
    ]),
    '',
    `The channel agrees with the fingerprints on ${agree.length} of ${pairs.length} pairs (${fmtPercent(agree.length / pairs.length)}); it heard ${crossHeard.length} pair(s) of different tenants.`,
    ...(rows.length > 0
      ? ['', `Pairs where they disagree${disagreements.length > rows.length ? ` (first ${rows.length} of ${disagreements.length})` : ''}:`, '', mdTable(['sender', 'receiver', 'tenants', 'inferred hosts', 'bit errors', 'held up more in 1-slots', 'p'], rows)]
      : []),
  ].join('\n');
  return { metrics, sections: [{ title: 'Covert channel', body }], notes: [] };
}
