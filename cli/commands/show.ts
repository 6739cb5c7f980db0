import { z } from 'zod';
import { planStudy } from '../../experiments/plan';
import { parseSets, resolveStudy } from '../../experiments/resolve-study';
import { describeExpectation } from '../../analysis/claims';
import type { Claim } from '../../experiments/schema';
import type { Command } from '../command';
import { formatDuration, formatUsd, table } from '../format';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { scheduleDigest } from '../plan-summary';
import { setOption } from '../study-options';

const usage = `Usage: curtain show <study|definition-file> [--set key=value ...] [--json]

Shows a study: what it reproduces, its parameters, the claims it checks (with confidence labels:
P paper's words, C authors' code, S second-hand summary, R recollection), its docs, and a plan
summary with the estimated cost for each provider it declares.
  --set key=value   override a parameter before showing
  --json            print {definition, parameters, docs, plans} as JSON`;

export function claimRows(claims: Claim[]): string[][] {
  return claims.map((c) => [c.id, c.provider, `[${c.confidence}]`, c.statement, c.metric, describeExpectation(c.expected)]);
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show a study: parameters, claims, docs and cost per provider',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('show', args, { set: { type: 'string', multiple: true }, json: { type: 'boolean' } }, usage);
    const ref = requirePositional('show', positionals, 'study', usage);
    const options = validateOptions('show', z.object({ set: setOption, json: z.boolean().default(false) }), values);
    const { definition, catalog, declarations } = resolveStudy(ref, parseSets(options.set));

    const plans = definition.providers.map((provider) => {
      try {
        const plan = planStudy(definition, { provider });
        return { provider, ok: true as const, plan };
      } catch (error) {
        return { provider, ok: false as const, reason: (error as Error).message };
      }
    });
    const parameters = catalog
      ? Object.entries(catalog.parameters.shape).map(([name, schema]) => ({
          name,
          value: definition.parameters[name],
          description: (schema as z.ZodType).description ?? '',
        }))
      : Object.entries(declarations ?? {}).map(([name, d]) => ({ name, value: definition.parameters[name], description: d.description ?? d.type }));

    if (options.json) {
      io.out(
        JSON.stringify(
          {
            definition,
            parameters,
            docs: catalog?.docs ?? null,
            plans: plans.map((p) =>
              p.ok
                ? { provider: p.provider, hash: p.plan.hash, invocations: p.plan.invocations, usd: p.plan.cost.usd, estimatedSeconds: p.plan.duration.estimatedSeconds, budget: p.plan.budget.verdict }
                : { provider: p.provider, refused: p.reason },
            ),
          },
          null,
          2,
        ),
      );
      return 0;
    }

    const out: string[] = [];
    out.push(`${definition.id}: ${definition.title}`);
    out.push(`paper ${definition.paper.experiment}, ${definition.paper.section}`);
    out.push(`providers ${definition.providers.join(', ')}; analysis ${definition.analysis.kind}`);
    out.push('');
    out.push(definition.summary);
    if (catalog) out.push('', catalog.docs);
    if (parameters.length > 0) {
      out.push('', 'Parameters (override with --set name=value):');
      out.push(table(['name', 'value', 'description'], parameters.map((p) => [p.name, JSON.stringify(p.value), p.description])));
    }
    const f = definition.functions;
    out.push(
      '',
      `Functions: runtimes ${f.runtime.join(', ')} × memory ${f.memoryMb.join(', ')} MB × tenants ${f.tenant.join(', ')} × ${f.copies} ${f.copies === 1 ? 'copy' : 'copies'}; ${f.architecture}, timeout ${f.timeoutSeconds} s`,
    );
    out.push(`Probe task: ${JSON.stringify(definition.probe.task)}`);
    out.push(`Budget: ${formatUsd(definition.budget.maxUsd)}, ${definition.budget.maxInvocations} invocations`);
    if (definition.claims.length > 0) {
      out.push('', 'Claims checked:');
      out.push(table(['claim', 'provider', 'conf', 'statement', 'metric', 'paper value'], claimRows(definition.claims)));
    }
    out.push('', 'Plans:');
    out.push(
      table(
        ['provider', 'functions', 'steps', 'requests', 'duration', 'cost', 'budget'],
        plans.map((p) =>
          p.ok
            ? [p.provider, p.plan.functions.length, p.plan.steps.length, p.plan.invocations, formatDuration(p.plan.duration.estimatedSeconds), formatUsd(p.plan.cost.usd), p.plan.budget.verdict]
            : [p.provider, 'refused', '', '', '', '', p.reason.split('\n').slice(1).join(' ').trim()],
        ),
      ),
    );
    const first = plans.find((p) => p.ok);
    if (first?.ok) out.push(`Schedule (${first.provider}): ${scheduleDigest(first.plan.steps)}`);
    for (const note of definition.notes) out.push(`Note: ${note}`);
    io.out(out.join('\n'));
    return 0;
  },
};
