/**
 * E1: tenant isolation. Every instance belongs to the tenant of the plan
 * function it served; a host that carried instances of more than one tenant
 * over the run is a cross-tenant host. Co-residency is judged from
 * fingerprints only (the paper also used a memory-bus covert channel).
 */
import { stackedBarChart } from '../figures/charts';
import { fmtPercent, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import { wilsonInterval } from '../stats/proportion';
import { type AnalysisDefinition, hostsUnusable } from './analysis';
import { absoluteMargin, exactMargin } from '../margins';

/** Hosts shown in the figure, busiest first. */
const FIGURE_HOSTS = 40;

export const isolationAnalysis: AnalysisDefinition = {
  kind: 'isolation',
  description: 'inferred hosts that carried instances of more than one tenant',
  create(ctx) {
    return {
      add() {
        // Everything this analysis needs is in the shared instance table.
      },
      finish() {
        const hosts = ctx.hosts();
        const countName = 'isolation.crossTenantHosts';
        const countDescription = 'hosts that carried instances of more than one tenant';
        const fractionName = 'isolation.crossTenantInstanceFraction';
        const fractionDescription = 'fraction of instances on a host shared with another tenant';
        const tenants = [...new Set(ctx.instances.all().map((i) => i.tenant))].sort();
        const unusable =
          hostsUnusable(hosts) ?? (tenants.length < 2 ? `only tenant ${tenants[0] ?? '(none)'}'s instances answered; isolation needs two tenants` : null);
        if (unusable) {
          return {
            metrics: [notMeasurable(countName, countDescription, 'hosts', unusable), notMeasurable(fractionName, fractionDescription, 'fraction', unusable)],
            figures: [],
            sections: [],
            notes: [`Tenant isolation is not measurable: ${unusable}.`],
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
              body: `${mdTable(['tenant', 'instances', 'hosts used', 'of which shared with another tenant'], summary)}\n\n${cross.length} of ${hosts.hosts.length} hosts (${fmtPercent(cross.length / Math.max(1, hosts.hosts.length))}) carried more than one tenant. Co-residency is inferred from fingerprints only; the paper confirmed it with a covert channel.`,
            },
          ],
          notes: [],
        };
      },
    };
  },
  margins: {
    'isolation.crossTenantHosts': exactMargin('one host shared by two tenants is the finding (the claims are 0 and at least 1)'),
    'isolation.crossTenantInstanceFraction': absoluteMargin(0.05, 'one instance in twenty: below it the share of exposed instances is the same for a reader'),
  },
};
