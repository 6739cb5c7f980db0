import { z } from 'zod';
import { checkClaimMetrics } from '../../analysis/metric-catalog';
import { planStudy } from '../../experiments/plan';
import { parseSets, resolveDefinitionFile } from '../../experiments/resolve-study';
import type { ProviderId } from '../../experiments/schema';
import type { Command } from '../command';
import { formatUsd } from '../format';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { providerOption, setOption } from '../study-options';

const usage = `Usage: curtain validate <file.json|file.ts|file.js> [--provider P ...] [--set key=value ...] [--json]

Checks a study definition written by hand: against the schema (each problem named by its path,
e.g. functions.memoryMb[2]), each claim's metric against the analysis's metrics, then by planning
it for every provider it declares (or those given with --provider), one line per provider. A
.ts/.js file must \`export default\` the definition (or a function returning it, or
defineStudy({ parameters, build }) from curtain/study). The JSON Schema of the format is
docs/schemas/study-definition.schema.json.
  --provider P       check this provider (repeatable); validate fails if it refuses the study
  --set key=value    set a declared parameter, or override a field by dotted path (repeatable)
  --json             print {valid, study, parameters, claimProblems, plans} as JSON
Exit codes: 0 valid and accepted by every provider asked for (without --provider: by at least one
it declares); 1 otherwise.`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a user-written study definition (.json, .ts or .js)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'validate',
      args,
      { set: { type: 'string', multiple: true }, provider: { type: 'string', short: 'p', multiple: true }, json: { type: 'boolean' } },
      usage,
    );
    const file = requirePositional('validate', positionals, 'file', usage);
    const options = validateOptions(
      'validate',
      z.object({ set: setOption, provider: z.array(providerOption).default([]), json: z.boolean().default(false) }),
      values,
    );
    const { definition, declarations } = resolveDefinitionFile(file, parseSets(options.set));
    const claimProblems = checkClaimMetrics(definition);
    const asked = options.provider.length > 0;
    const providers: ProviderId[] = asked ? [...new Set(options.provider)] : definition.providers;
    const plans = providers.map((provider) => {
      try {
        const plan = planStudy(definition, { provider });
        return { provider, ok: true, usd: plan.cost.usd, invocations: plan.invocations, budget: plan.budget.verdict, problem: null as string | null };
      } catch (error) {
        return { provider, ok: false, usd: null, invocations: null, budget: null, problem: (error as Error).message };
      }
    });
    // Providers a user asked for must all accept; otherwise one accepting provider is enough.
    const accepted = asked ? plans.every((p) => p.ok) : plans.some((p) => p.ok);
    const valid = accepted && claimProblems.length === 0;
    if (options.json) {
      io.out(JSON.stringify({ valid, study: definition.id, parameters: definition.parameters, claimProblems, plans }, null, 2));
    } else {
      io.out(`${file}: study "${definition.id}" matches the schema`);
      if (declarations) {
        const list = Object.entries(declarations).map(([name, d]) => `${name} = ${JSON.stringify(definition.parameters[name] ?? d.default)} (${d.type}${d.description ? `: ${d.description}` : ''})`);
        io.out(`  parameters: ${list.join('; ')}`);
      }
      for (const p of claimProblems) io.out(`  ${p.path}: ${p.message}`);
      for (const p of plans) {
        io.out(
          p.ok
            ? `  ${p.provider}: plans ${p.invocations} requests, ${formatUsd(p.usd!)}, ${p.budget === 'within' ? 'within budget' : 'OVER budget'}`
            : `  ${p.provider}: refused: ${refusalText(p.problem!)}`,
        );
      }
      if (!accepted) io.out(asked ? '  a provider you asked for refuses the study' : '  no provider it declares accepts the study');
    }
    return valid ? 0 : 1;
  },
};

/** The reasons of a PlanRefusedError (its lines after the first), or the whole message of another error. */
function refusalText(message: string): string {
  const lines = message.split('\n');
  return lines.length > 1 ? lines.slice(1).map((line) => line.replace(/^\s*-\s*/, '')).join('; ') : message;
}
