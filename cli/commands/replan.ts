import path from 'node:path';
import { z } from 'zod';
import { CLOUD_NAMES } from '../../experiments/target-names';
import { type ReplanResult, replanRun } from '../../replication/replan';
import { quoteWord, renderCommand } from '../../replication/shell-words';
import { TARGET_LIST } from '../../targets/registry';
import { CliError, EXIT } from '../cli-error';
import type { CliIo, Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { pathOption } from '../study-options';

const usage = `Usage: curtain replan <package|run-dir|plan.json> [options]

For reproducibility reviewers: recompiles the plan of a published run with this version of Curtain
and says whether it gives the same plan hash (and which fields differ), whether this checkout builds
the run's bundles, and prints the complete commands that rerun the same study on the same target
with every option the run recorded. A package (\`curtain pack\`) is verified and unpacked first;
its exact bundles and definition are then used by the commands.
  --definition FILE         the study definition the run was planned from (user-written studies,
                            when the input does not carry it)
  --into DIR                where a package is unpacked (default: ./<package name>)
  --out DIR                 results root of the rerun (curtain run --out / curtain fetch --out)
  --gcp-project ID          your Google Cloud project (else a placeholder to replace)
  --azure-subscription ID   your Azure subscription (else a placeholder)
  --cloudflare-account ID   your Cloudflare account id (else a placeholder)
  --tenant-b ID             the second tenant's account / project / subscription (isolation)
  --execute                 run the commands (local runs only; a cloud rerun needs your account)
  --json                    print the result as JSON
Exit codes: 0 the plan is reproduced (with --execute: the rerun completed); 1 it is not, or the
input is invalid; otherwise the rerun's own exit code.`;

const Options = z.object({
  definition: pathOption.optional(),
  into: pathOption.optional(),
  out: pathOption.optional(),
  'gcp-project': CLOUD_NAMES.gcpProject.optional(),
  'azure-subscription': CLOUD_NAMES.azureSubscription.optional(),
  'cloudflare-account': CLOUD_NAMES.cloudflareAccount.optional(),
  // Tenant b's id has the form of the run's provider; the builders print it where that provider expects it.
  'tenant-b': z.union([CLOUD_NAMES.awsAccount, CLOUD_NAMES.gcpProject, CLOUD_NAMES.azureSubscription]).optional(),
  execute: z.boolean().default(false),
  json: z.boolean().default(false),
});

export const replanCommand: Command = {
  name: 'replan',
  summary: 'check that a published run\'s plan is reproduced by this version, and rerun it',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'replan',
      args,
      {
        definition: { type: 'string' },
        into: { type: 'string' },
        out: { type: 'string' },
        'gcp-project': { type: 'string' },
        'azure-subscription': { type: 'string' },
        'cloudflare-account': { type: 'string' },
        'tenant-b': { type: 'string' },
        execute: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const input = requirePositional('replan', positionals, 'package|run-dir|plan.json', usage);
    const o = validateOptions('replan', Options, values);
    const result = await replanRun({
      input,
      cwd: io.cwd,
      definition: o.definition,
      into: o.into,
      out: o.out,
      supplied: { gcpProject: o['gcp-project'], azureSubscription: o['azure-subscription'], cloudflareAccount: o['cloudflare-account'], tenantB: o['tenant-b'] },
      log: (line) => io.err(line),
    });
    io.out(o.json ? JSON.stringify(jsonResult(result), null, 2) : renderReplan(result, io.cwd));
    if (!o.execute) return result.reproduced ? EXIT.ok : EXIT.usage;
    if (!result.reproduced) throw new CliError('curtain replan: --execute reruns only a reproduced plan: this version would run another experiment (see above)');
    return executeRerun(result, io);
  },
};

function jsonResult(r: ReplanResult) {
  return {
    kind: r.kind,
    runDir: r.runDir,
    packageDir: r.packageDir,
    reproduced: r.reproduced,
    intact: r.intact,
    hash: r.hash,
    contentHash: r.contentHash,
    rebuiltHash: r.rebuiltHash,
    differences: r.differences,
    from: r.from,
    bundles: r.bundles,
    rerun: {
      steps: r.rerun.steps.map((s) => ({ what: s.what, command: renderCommand(s.command), env: s.command.env, argv: s.command.argv, executable: s.executable })),
      missing: r.rerun.missing,
      notes: r.rerun.notes,
    },
  };
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;

/** A path relative to the working directory when it is inside it, else absolute. */
function shown(p: string, cwd: string): string {
  const relative = path.relative(cwd, p);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}

export function renderReplan(r: ReplanResult, cwd: string): string {
  const lines: string[] = [];
  const where = `${r.plan.provider}, ${r.plan.region}, ${r.plan.hosting}`;
  if (!r.intact) {
    // An edited plan keeps its old hash: say which hash is which, never the same one twice.
    lines.push(
      `plan.json was edited after it was planned: its content hashes to ${short(r.contentHash)}, not to the ${short(r.hash)} it records, so it is NOT the plan the run executed.`,
      r.rebuiltHash === r.hash
        ? `This version compiles ${short(r.rebuiltHash)} from ${r.from} with the recorded parameters (${where}): the recorded hash; the edited fields are ${r.differences.join(', ') || 'none'}.`
        : `This version compiles ${short(r.rebuiltHash)} from ${r.from} (${where}); fields that differ from the file: ${r.differences.join(', ') || 'none'}.`,
    );
  } else if (r.reproduced) {
    lines.push(`plan ${short(r.hash)} is reproduced: this version compiles the same plan from ${r.from} with the recorded parameters (${where}).`);
  } else {
    lines.push(`plan ${short(r.hash)} is NOT reproduced: this version compiles ${short(r.rebuiltHash)} from ${r.from} (${where}); differing fields: ${r.differences.join(', ') || 'none, but the hash'}.`);
  }
  if (r.manifest) {
    const source = r.manifest.origin?.source;
    const code = source ? `${source.version}${source.git ? ` (commit ${source.git.commit.slice(0, 12)}${source.git.dirty ? ', with uncommitted changes' : ''})` : ''}, source ${short(source.sourceSha256)}` : `${r.manifest.tool.version} (no source identity recorded)`;
    lines.push(`run ${r.manifest.run}: ${r.manifest.status}, made with curtain ${code}`);
    for (const b of r.bundles) {
      lines.push(`  bundle ${b.bundle}: ${b.same === null ? 'not recorded by the run' : b.same ? 'this checkout builds the same bytes' : `this checkout differs (run ${b.run!.slice(0, 12)}…, here ${b.here?.slice(0, 12) ?? 'none'}…)`}`);
    }
  }
  if (r.packageDir) lines.push(`package unpacked in ${shown(r.packageDir, cwd)}: the commands use its bundles (runtime/) and definition`);
  lines.push('Rerun it:');
  for (const step of r.rerun.steps) lines.push(`  # ${step.what}`, `  ${renderCommand(step.command)}`);
  for (const m of r.rerun.missing) lines.push(`  replace ${m.placeholder} with ${m.what} (or pass ${m.option})`);
  for (const n of r.rerun.notes) lines.push(`  note: ${n}`);
  lines.push(
    r.runDir
      ? `Then: npx curtain compare ${quoteWord(shown(r.runDir, cwd))} <your-run-dir>`
      : 'Then compare your run with the published run directory (curtain compare needs the run\'s records, which a plan.json alone does not have).',
  );
  return lines.join('\n');
}

/**
 * Runs the rerun steps. Each is a `curtain` command, run in this process
 * through the command registry: the same Curtain that checked the plan, with
 * `curtain run`'s own Ctrl-C handling. A target whose steps need a cloud
 * account is refused, pointing at its offline twin (docs/twins.md) where it
 * has one: a twin runs this version's synthesized stack, not the published
 * deployment, so it checks the wiring, not the published numbers.
 */
async function executeRerun(result: ReplanResult, io: CliIo): Promise<number> {
  const steps = result.rerun.steps;
  const refused = steps.filter((s) => !s.executable);
  if (refused.length > 0) {
    const hasTwin = TARGET_LIST.some((t) => t.id === result.plan.provider && t.twin !== undefined);
    const twin = hasTwin ? `; to try this version's stack offline first: npx curtain run <study or file> --target ${result.plan.provider} (docs/twins.md)` : '';
    throw new CliError(`curtain replan: --execute runs local reruns only; ${result.plan.provider} needs your cloud account: run the commands above yourself${twin}`);
  }
  if (result.rerun.missing.length > 0) throw new CliError(`curtain replan: supply ${result.rerun.missing.map((m) => m.option).join(', ')} before --execute`);
  // Loaded here: cli/main imports this command through the registry.
  const { main } = require('../main') as typeof import('../main');
  for (const step of steps) {
    const [npx, curtain, ...args] = step.command.argv;
    if (npx !== 'npx' || curtain !== 'curtain' || step.command.env.length > 0) throw new CliError(`curtain replan: cannot execute ${renderCommand(step.command)} here`);
    io.err(`curtain replan: executing: ${renderCommand(step.command)}`);
    const code = await main(args, io);
    if (code !== EXIT.ok) return code;
  }
  return EXIT.ok;
}
