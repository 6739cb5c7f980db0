import { z } from 'zod';
import { packRun } from '../../replication/pack';
import { EXIT } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { pathOption } from '../study-options';

const usage = `Usage: curtain pack <run-dir> [--out FILE] [options]

Writes one replication package (a .tar.gz) of a finished run: the study definition, plan.json,
run.json, every shard, the report, the exact runtime bundles and their manifest, the synthesized
templates of a cloud run, the lockfile, and curtain-package.json with the tool's source identity,
the runtime versions, every option of the run and the sha256 of every file. Publish it with its
sha256 (printed); reviewers check it with \`curtain verify\` and rerun it with \`curtain replan\`.
  --out FILE          the package (default ./<study>-<run>.curtain.tar.gz; never overwritten)
  --definition FILE   the definition of a user-written study, when run.json's is not at hand
  --bundles DIR       a directory holding dist/runtime with the run's bundles (default: what
                      run.json names, else this checkout's; they must have the recorded hashes)
  --template FILE     a synthesized template / cdk.tf.json to include (repeatable; the current
                      directory's cdk.out and cdktf.out are searched for the study's own)
  --json              print {file, bytes, sha256, files, notes} as JSON`;

const Options = z.object({
  out: pathOption.optional(),
  definition: pathOption.optional(),
  bundles: pathOption.optional(),
  template: z.array(pathOption).default([]),
  json: z.boolean().default(false),
});

export const packCommand: Command = {
  name: 'pack',
  summary: 'write a replication package of a run (one .tar.gz with everything to verify and rerun it)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'pack',
      args,
      { out: { type: 'string', short: 'o' }, definition: { type: 'string' }, bundles: { type: 'string' }, template: { type: 'string', multiple: true }, json: { type: 'boolean' } },
      usage,
    );
    const runDir = requirePositional('pack', positionals, 'run-dir', usage);
    const o = validateOptions('pack', Options, values);
    const began = performance.now();
    const result = await packRun({ runDir, out: o.out, definition: o.definition, bundles: o.bundles, templates: o.template, cwd: io.cwd, log: (line) => io.err(line) });
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    const { manifest } = result;
    io.out(
      o.json
        ? JSON.stringify({ file: result.file, bytes: result.bytes, sha256: result.sha256, files: manifest.files.length + 1, notes: manifest.notes, seconds: Number(seconds) }, null, 2)
        : [
            `package  ${result.file}`,
            `size     ${result.bytes} bytes, ${manifest.files.length + 1} files (${seconds} s)`,
            `sha256   ${result.sha256}   (publish it beside the package)`,
            `run      ${manifest.study} ${manifest.run} on ${manifest.provider} (${manifest.status}), plan ${manifest.planHash.slice(0, 16)}…`,
            ...manifest.notes.map((n) => `note     ${n}`),
            `check it: npx curtain verify ${result.file}`,
          ].join('\n'),
    );
    return EXIT.ok;
  },
};
