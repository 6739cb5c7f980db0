import { z } from 'zod';
import { planStudy } from '../../experiments/plan';
import { parseSets, resolveDefinitionFile } from '../../experiments/resolve-study';
import type { Command } from '../command';
import { formatUsd } from '../format';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { setOption } from '../study-options';

const usage = `Usage: curtain validate <file.json|file.ts|file.js> [--set path=value ...] [--json]

Checks a study definition written by hand: against the schema (each problem named by its path,
e.g. functions.memoryMb[2]), then by planning it for every provider it declares. A .ts/.js file
must \`export default\` the definition (or a function returning it). The JSON Schema of the format
is docs/schemas/study-definition.schema.json.
  --set path=value   override a field by dotted path before validating (repeatable)
  --json             print {valid, study, plans} as JSON
Exit codes: 0 valid and plannable everywhere it declares; 1 otherwise.`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a user-written study definition (.json, .ts or .js)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('validate', args, { set: { type: 'string', multiple: true }, json: { type: 'boolean' } }, usage);
    const file = requirePositional('validate', positionals, 'file', usage);
    const options = validateOptions('validate', z.object({ set: setOption, json: z.boolean().default(false) }), values);
    const { definition } = resolveDefinitionFile(file, parseSets(options.set));
    const plans = definition.providers.map((provider) => {
      try {
        const plan = planStudy(definition, { provider });
        return { provider, ok: true, usd: plan.cost.usd, invocations: plan.invocations, budget: plan.budget.verdict, problem: null as string | null };
      } catch (error) {
        return { provider, ok: false, usd: null, invocations: null, budget: null, problem: (error as Error).message };
      }
    });
    const valid = plans.every((p) => p.ok);
    if (options.json) {
      io.out(JSON.stringify({ valid, study: definition.id, plans }, null, 2));
    } else {
      io.out(`${file}: study "${definition.id}" matches the schema`);
      for (const p of plans) {
        io.out(
          p.ok
            ? `  ${p.provider}: plans ${p.invocations} requests, ${formatUsd(p.usd!)}, ${p.budget === 'within' ? 'within budget' : 'OVER budget'}`
            : `  ${p.provider}: refused: ${p.problem!.split('\n').slice(1).join(' ').trim()}`,
        );
      }
    }
    return valid ? 0 : 1;
  },
};
