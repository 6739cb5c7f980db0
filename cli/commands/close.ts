import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { closeLocalRun, isLocalRun, readRunDocuments } from '../../local/run-state/close-run';
import { reapDeadRuns } from '../../local/run-state/reaper';
import { localRunDir } from '../../local/run-state/run-dir-layout';
import { acquireRunLock } from '../../local/run-state/run-lock';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';

const usage = `Usage: curtain close <run-dir> [--json]

Closes a local run whose process died while it was running (run.json still says running): every
answer its drivers recorded is kept, requests never sent are recorded as skipped, requests a dying
driver may have sent as error of unknown fate, and run.json becomes interrupted with the steps
completed and the failures. The run can then be reported, or completed with \`curtain resume\`.
A run in use by a live process is refused; a closed run is left as it is.
Exit codes: 0 closed (or already closed); 1 not a local run, or in use.`;

export const closeCommand: Command = {
  name: 'close',
  summary: 'close a local run whose process died (run.json still running), honestly',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('close', args, { json: { type: 'boolean' } }, usage);
    const runDir = path.resolve(io.cwd, requirePositional('close', positionals, 'run-dir', usage));
    const o = validateOptions('close', z.object({ json: z.boolean().default(false) }), values);
    if (!existsSync(localRunDir(runDir))) throw new CliError(`curtain close: ${runDir}: not a local run directory made by curtain run (no local-run/)`);
    await reapDeadRuns((line) => io.err(line), { by: `curtain close (pid ${process.pid})` });
    const { manifest } = await readRunDocuments(runDir);
    if (manifest && !isLocalRun(manifest)) {
      throw new CliError(`curtain close: ${runDir}: a ${manifest.provider} run; its run.json is closed by its orchestrator (fetch it again once the run has ended)`);
    }
    const lock = acquireRunLock(runDir, 'close');
    try {
      const outcome = await closeLocalRun(runDir, `curtain close (pid ${process.pid})`);
      if (o.json) io.out(JSON.stringify({ runDir, ...outcome }, null, 2));
      else if (outcome.kind === 'closed') {
        io.out(
          [
            `closed ${runDir}: interrupted, ${outcome.stepsCompleted} of ${outcome.stepsTotal} steps completed`,
            `  ${outcome.unresolved} request(s) of unknown fate (a driver died while sending), ${outcome.skipped} recorded as never sent (skipped)`,
            `then: npx curtain report ${runDir}   or   npx curtain resume ${runDir}${outcome.unresolved > 0 ? ' [--resend]' : ''}`,
          ].join('\n'),
        );
      } else if (outcome.kind === 'removed') io.out(`${runDir}: ${outcome.reason}`);
      else io.out(`${runDir}: already closed (${outcome.status}); nothing to do`);
      return 0;
    } finally {
      lock.release();
    }
  },
};
