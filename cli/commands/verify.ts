import { z } from 'zod';
import { formatPackageProblem } from '../../replication/package-check';
import { verifyPackage } from '../../replication/verify';
import { EXIT } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';

const usage = `Usage: curtain verify <package|unpacked-package-dir> [--json]

Checks a replication package: every file against the sha256 and size in its curtain-package.json
(nothing missing, nothing added), the plan against its own hash, run.json and the resolved
definition against the plan, and each runtime bundle against the bundle manifest and run.json.
The archive is read as a stream and never unpacked. Each difference is named: file, expected, actual.
Exit codes: 0 the package verifies; 1 it does not, or it cannot be read.`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a replication package\'s checksums, plan hash and bundles, naming every difference',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('verify', args, { json: { type: 'boolean' } }, usage);
    const input = requirePositional('verify', positionals, 'package', usage);
    const o = validateOptions('verify', z.object({ json: z.boolean().default(false) }), values);
    const began = performance.now();
    const result = await verifyPackage(input);
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    const m = result.manifest;
    if (o.json) {
      io.out(JSON.stringify({ ok: result.ok, files: result.files, bytes: result.bytes, planHash: m?.planHash ?? null, problems: result.problems, seconds: Number(seconds) }, null, 2));
    } else if (result.ok) {
      io.out(`${input}: verified: ${result.files} files, ${result.bytes} bytes, every sha256 matches; plan ${m!.planHash.slice(0, 16)}… of ${m!.study} run ${m!.run} (${m!.provider}) is intact (${seconds} s)`);
    } else {
      io.out([`${input}: does NOT verify (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):`, ...result.problems.map((p) => `  ${formatPackageProblem(p)}`)].join('\n'));
    }
    return result.ok ? EXIT.ok : EXIT.usage;
  },
};
