import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { compareRuns } from '../../analysis';
import { comparisonJson, renderComparison } from '../../analysis/compare/compare-markdown';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, validateOptions } from '../options';
import { prepareOutputDir } from '../output-dir';

const usage = `Usage: curtain compare <run-A> <run-B> [--out DIR] [--json]

Compares two runs of the same study (for example a published run and a rerun, or a cloud run and
a local one) metric by metric: both values with their 95 % intervals, the difference B − A with a
bootstrap 95 % interval, and whether the runs agree (the interval of the difference contains 0).
  --out DIR   also write compare.md and compare.json into DIR
  --json      print the comparison as JSON instead of Markdown
Exit codes: 0 compared; 1 not run directories, or runs of different studies.`;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two runs of a study metric by metric, with bootstrap intervals of the differences',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('compare', args, { out: { type: 'string' }, json: { type: 'boolean' } }, usage);
    if (positionals.length !== 2) throw new CliError(`curtain compare: expected two run directories, got ${positionals.length}\n\n${usage}`);
    const o = validateOptions('compare', z.object({ out: z.string().min(1).optional(), json: z.boolean().default(false) }), values);
    const [a, b] = positionals.map((p) => path.resolve(io.cwd, p)) as [string, string];
    const outDir = o.out ? await prepareOutputDir('compare', '--out', path.resolve(io.cwd, o.out)) : null;
    const comparison = await compareRuns(a, b, { log: (line) => io.err(line) });
    const markdown = renderComparison(comparison);
    const json = comparisonJson(comparison);
    if (outDir) {
      const dir = outDir;
      await writeFile(path.join(dir, 'compare.md'), markdown);
      await writeFile(path.join(dir, 'compare.json'), `${JSON.stringify(json, null, 2)}\n`);
      io.err(`comparison written to ${path.join(dir, 'compare.md')}`);
    }
    io.out(o.json ? JSON.stringify(json, null, 2) : markdown);
    return 0;
  },
};
