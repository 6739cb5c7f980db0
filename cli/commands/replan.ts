import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson, contentHash } from '../../experiments/canonical-json';
import { InputFileError, problemsFromZod, ValidationError } from '../../experiments/errors';
import { parseJsonText } from '../../experiments/load-definition';
import { planStudy } from '../../experiments/plan';
import { StudyPlan } from '../../experiments/plan-schema';
import { CATALOG } from '../../experiments/catalog';
import { resolveDefinitionFile, resolveStudy } from '../../experiments/resolve-study';
import { ensureRuntimeBuilt } from '../../probe-runtime/build/ensure-runtime-built';
import { type BundleName, PYTHON_PROBE_BUNDLE } from '../../probe-runtime/contracts/bundle-manifest';
import type { RerunCommand, RerunSubject } from '../../targets/provider-target';
import { TARGETS } from '../../targets/registry';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { CliError, EXIT } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';

const usage = `Usage: curtain replan <run-dir|plan.json> [--definition FILE] [--json]

For reproducibility reviewers: recompiles the plan of a published run with this version of Curtain
(the catalog study and the parameters recorded in plan.json, or --definition for a study that is not
in the catalog) and says whether it gives the same plan hash, whether the deployed bundles are the
same as this checkout's (from run.json), and the commands that rerun the same study locally or on
its cloud. Then compare the two runs with \`curtain compare <published-run> <your-run>\`.
  --definition FILE   the study definition the run was planned from (user-written studies)
  --json              print {reproduced, hash, rebuiltHash, differences, bundles, rerun} as JSON
Exit codes: 0 the plan is reproduced; 1 it is not, or the input is invalid.`;

export const replanCommand: Command = {
  name: 'replan',
  summary: 'check that a published run\'s plan is reproduced by this version, and how to rerun it',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('replan', args, { definition: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const input = requirePositional('replan', positionals, 'run-dir|plan.json', usage);
    const options = validateOptions('replan', z.object({ definition: z.string().min(1).optional(), json: z.boolean().default(false) }), values);
    const planFile = existsSync(input) && statSync(input).isDirectory() ? path.join(input, 'plan.json') : input;
    const published = readJson(planFile, StudyPlan, 'plan');
    const manifestFile = path.join(path.dirname(planFile), 'run.json');
    const manifest = existsSync(manifestFile) ? readJson(manifestFile, RunManifest, 'run manifest') : null;

    if (!options.definition && !CATALOG.some((s) => s.id === published.study.id)) {
      throw new CliError(`curtain replan: ${published.study.id} is not a catalog study of this version; pass --definition FILE with the definition it was planned from`);
    }
    const definition = options.definition
      ? resolveDefinitionFile(options.definition).definition
      : resolveStudy(published.study.id, published.parameters).definition;
    const rebuilt = planStudy(definition, {
      provider: published.provider,
      region: published.region,
      hosting: published.hosting,
      budget: { maxUsd: published.budget.maxUsd, maxInvocations: published.budget.maxInvocations },
    });
    const differences = differingFields(published, rebuilt);
    const bundles = manifest ? await compareBundles(manifest, published.provider) : [];
    const rerun = rerunCommands(published, options.definition);
    // A plan file edited after it was made no longer matches its own hash: say so, whatever else matches.
    const { hash: _recorded, ...content } = published;
    const intact = contentHash(content) === published.hash;
    const reproduced = intact && rebuilt.hash === published.hash && differences.length === 0;

    if (options.json) {
      io.out(JSON.stringify({ reproduced, intact, hash: published.hash, rebuiltHash: rebuilt.hash, differences, bundles, rerun }, null, 2));
    } else {
      const lines = [
        ...(intact ? [] : [`warning: ${planFile} does not match its own hash: it was edited after it was planned.`]),
        reproduced
          ? `plan ${published.hash.slice(0, 16)}… is reproduced: this version compiles the same plan from ${options.definition ?? `catalog study ${published.study.id}`} with the recorded parameters (${published.provider}, ${published.region}, ${published.hosting}).`
          : `plan ${published.hash.slice(0, 16)}… is NOT reproduced (this version gives ${rebuilt.hash.slice(0, 16)}…); differing fields: ${differences.join(', ') || 'none, but the hash'}.`,
      ];
      if (manifest) {
        lines.push(`run ${manifest.run}: ${manifest.status}, made with curtain ${manifest.tool.version}`);
        for (const b of bundles) lines.push(`  bundle ${b.bundle}: ${b.same === null ? 'not recorded by the run' : b.same ? 'identical to this checkout' : `differs (run ${b.run!.slice(0, 12)}…, here ${b.here.slice(0, 12)}…)`}`);
      }
      lines.push('Rerun it:', ...rerun.map((c) => `  ${c}`), `Then: npx curtain compare ${input} <your-run-dir>`);
      io.out(lines.join('\n'));
    }
    return reproduced ? EXIT.ok : EXIT.usage;
  },
};

function readJson<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputFileError(file, `cannot be read; expected a run directory or its ${what} file`);
  }
  const parsed = schema.safeParse(parseJsonText(file, text));
  if (!parsed.success) throw new ValidationError(`${what} ${file}`, problemsFromZod(parsed.error));
  return parsed.data;
}

/** Top-level plan fields whose canonical JSON differs. */
function differingFields(a: StudyPlan, b: StudyPlan): string[] {
  const keys = Object.keys(a).filter((k) => k !== 'hash') as (keyof StudyPlan)[];
  return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
}

interface BundleComparison {
  bundle: BundleName;
  run: string | null;
  here: string;
  /** null when the run did not record this bundle's hash. */
  same: boolean | null;
}

async function compareBundles(manifest: RunManifest, provider: StudyPlan['provider']): Promise<BundleComparison[]> {
  const built = await ensureRuntimeBuilt();
  const { bundles } = TARGETS[provider];
  const pairs: [BundleName, string | null][] = [
    [bundles.probe, manifest.bundles.probe],
    [bundles.driver, manifest.bundles.driver],
    [PYTHON_PROBE_BUNDLE, manifest.bundles.pythonProbe],
  ];
  return pairs.map(([bundle, run]) => {
    const here = built.bundles[bundle]?.sha256 ?? '';
    return { bundle, run, here, same: run === null ? null : run === here };
  });
}

/** The same study, same parameters, region, hosting and budget, on the run's own target (its registry entry says how). */
export function rerunCommands(plan: RerunSubject, definitionFile?: string): string[] {
  return TARGETS[plan.provider].rerunCommands(plan, { definitionFile }).map(shellCommand);
}

/** One command as a shell line: environment assignments, then argv, each quoted where a shell would split it. */
function shellCommand(command: RerunCommand): string {
  const quote = (s: string) => (/^[\w.,=:/@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [...command.env.map(([name, value]) => `${name}=${quote(value)}`), ...command.argv.map(quote)].join(' ');
}
