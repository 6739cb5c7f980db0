import { z } from 'zod';
import { CATALOG } from '../../experiments/catalog';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { table } from '../format';
import { parseCommandArgs, validateOptions } from '../options';
import { PROVIDERS } from '../../experiments/schema';

const usage = `Usage: curtain list [--json]

Lists every study of the catalog with the paper experiment it reproduces and the providers it runs on.
  --json   print a JSON array of {id, title, experiment, providers}`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list the studies of the catalog',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('list', args, { json: { type: 'boolean' } }, usage);
    const options = validateOptions('list', z.object({ json: z.boolean().default(false) }), values);
    if (positionals.length > 0) throw new CliError(`curtain list: unexpected argument "${positionals[0]}"\n\n${usage}`);
    const rows = CATALOG.map((s) => {
      const definition = s.build(s.parameters.parse({}));
      return { id: s.id, title: s.title, experiment: s.experiment, providers: definition.providers };
    });
    if (options.json) {
      io.out(JSON.stringify(rows, null, 2));
    } else {
      io.out(table(['study', 'paper', 'providers', 'title'], rows.map((r) => [r.id, r.experiment, r.providers.join(','), r.title])));
      io.out(`\n\`curtain show <study>\` for details; \`curtain plan <study> --provider ${PROVIDERS.join('|')}\` for a plan.`);
    }
    return 0;
  },
};
