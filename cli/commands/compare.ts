import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { compareRuns } from '../../analysis';
import { comparisonJson, renderComparison } from '../../analysis/compare/compare-markdown';
import { DEFAULT_ALPHA } from '../../analysis/compare/compare-runs';
import { type Margin, parseMarginOverride } from '../../analysis/margins';
import { ValidationError } from '../../experiments/errors';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, validateOptions } from '../options';
import { prepareOutputDir } from '../output-dir';

const usage = `Usage: curtain compare <run-A> <run-B> [options]
       curtain compare --a <run> [<run> ...] --b <run> [<run> ...] [options]

Judges whether runs of one study replicate each other (a published run and a rerun, a cloud run
and a local one), metric by metric against each metric's practical margin (declared with the
study's analysis, with its reason): equivalent (the ${fmtPercent(1 - 2 * DEFAULT_ALPHA)} interval of B vs A lies within
the margin), different (beyond it, with Holm's adjustment over all metrics tested) or inconclusive.
Side A is the reference. Several runs per side are replicates of one plan: their spread gives the
run-to-run variance.
  --a RUN ...          the runs of side A (the reference), e.g. --a published/run1 published/run2
  --b RUN ...          the runs of side B
  --margin NAME=VALUE  replace a metric's margin (repeatable): 25% (ratio B/A within ×1.25),
                       0.05 (absolute, in the metric's unit) or exact; NAME also covers the
                       names below it (coldstart.warmMedianMs covers coldstart.warmMedianMs.m128)
  --alpha A            error rate of each verdict (default ${DEFAULT_ALPHA})
  --out DIR            also write compare.md and compare.json into DIR
  --json               print the comparison as JSON instead of Markdown
Exit codes: 0 compared; 1 not run directories, runs of different studies, a side whose runs
executed different plans, or an invalid option.`;

function fmtPercent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

const Options = z.object({
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  alpha: z.coerce.number().gt(0).max(0.25, 'at most 0.25: a verdict wrong one time in four says little').default(DEFAULT_ALPHA),
  margin: z.array(z.string()).default([]),
});

const OPTIONS = {
  a: { type: 'string', multiple: true },
  b: { type: 'string', multiple: true },
  margin: { type: 'string', multiple: true },
  alpha: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'judge whether runs replicate each other: equivalence against per-metric margins, Holm-adjusted',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs('compare', args, OPTIONS, usage);
    const sides = splitSides(args);
    const o = validateOptions('compare', Options, { out: values.out, json: values.json, alpha: values.alpha, margin: values.margin });
    const margins = parseMargins(o.margin);
    const resolve = (dirs: string[]) => dirs.map((p) => path.resolve(io.cwd, p));
    // --out is checked (and created) before any run is read.
    const outDir = o.out ? await prepareOutputDir('compare', '--out', path.resolve(io.cwd, o.out)) : null;
    const comparison = await compareRuns(resolve(sides.a), resolve(sides.b), { log: (line) => io.err(line), alpha: o.alpha, margins, malformedListedIn: 'the comparison (Malformed lines)' });
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

/**
 * The runs of each side. `--a X Y --b Z`: parseArgs gives `--a` its first value
 * (X) and leaves Y as a positional; the tokens tell which option a positional
 * follows. Without --a/--b, exactly two positionals: A and B.
 */
export function splitSides(args: string[]): { a: string[]; b: string[] } {
  const { tokens } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  const sides = { a: [] as string[], b: [] as string[] };
  const loose: string[] = [];
  let current: 'a' | 'b' | null = null;
  for (const token of tokens) {
    if (token.kind === 'option') {
      current = token.name === 'a' || token.name === 'b' ? token.name : null;
      if (current && token.value !== undefined) sides[current].push(token.value);
    } else if (token.kind === 'positional') {
      if (current) sides[current].push(token.value);
      else loose.push(token.value);
    } else current = null;
  }
  const named = sides.a.length > 0 || sides.b.length > 0;
  if (named) {
    if (loose.length > 0) throw new CliError(`curtain compare: "${loose[0]}" belongs to no side: put every run after --a or --b\n\n${usage}`);
    if (sides.a.length === 0 || sides.b.length === 0) throw new CliError(`curtain compare: --${sides.a.length === 0 ? 'a' : 'b'} names no run; each side needs at least one\n\n${usage}`);
    return sides;
  }
  if (loose.length !== 2) throw new CliError(`curtain compare: expected two run directories (or --a RUN ... --b RUN ...), got ${loose.length}\n\n${usage}`);
  return { a: [loose[0]!], b: [loose[1]!] };
}

function parseMargins(texts: string[]): Record<string, Margin> {
  const margins: Record<string, Margin> = {};
  const problems: { path: string; message: string }[] = [];
  for (const text of texts) {
    const parsed = parseMarginOverride(text);
    if ('error' in parsed) problems.push({ path: '--margin', message: parsed.error });
    else if (Object.hasOwn(margins, parsed.name)) problems.push({ path: '--margin', message: `${parsed.name} is given twice` });
    else margins[parsed.name] = parsed.margin;
  }
  if (problems.length > 0) throw new ValidationError('options of curtain compare', problems);
  return margins;
}
