import path from 'node:path';
import { z } from 'zod';
import { readRunDocuments } from '../../local/run-state/close-run';
import { reapDeadRuns } from '../../local/run-state/reaper';
import { prepareBundles } from '../../local/run/prepare-bundles';
import { ProgressDisplay } from '../../local/run/progress';
import { localRunExitCode, localRunJson, renderLocalRun } from '../../local/run/render-result';
import { recordedRunOptions, resumeLocalRun } from '../../local/run/resume-local-run';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { StopSignals } from '../stop-signals';

const usage = `Usage: curtain resume <run-dir> [--resend] [--bundles DIR] [--no-report] [--json]

Continues a local run that was interrupted (Ctrl-C), killed, or left failed, on a new platform with
the run's own plan (its hash checked) and options: from the first burst step with requests still to
send, it sends every request recorded as skipped (never sent) and keeps every record already written,
so the run ends with exactly one record per planned request. A run still marked running whose
process died is closed first. Updates before that step are applied; waits before it are not repeated.
  --resend        also send again the requests of unknown fate (a driver died after it began sending:
                  they may have reached a probe); their records then carry priorSends
  --bundles DIR   the run's bundles (DIR/dist/runtime), when this checkout's differ from the run's
  --no-report     skip the report
  --json          print the result summary as JSON
Exit codes: 0 completed; 1 not a resumable run (or in use by a live process); 3 failed; 130 interrupted.`;

const Options = z.object({
  resend: z.boolean().default(false),
  bundles: z.string().min(1).optional(),
  'no-report': z.boolean().default(false),
  json: z.boolean().default(false),
});

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue an interrupted or killed local run from its first step with requests left to send',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'resume',
      args,
      { resend: { type: 'boolean' }, bundles: { type: 'string' }, 'no-report': { type: 'boolean' }, json: { type: 'boolean' } },
      usage,
    );
    const runDir = path.resolve(io.cwd, requirePositional('resume', positionals, 'run-dir', usage));
    const o = validateOptions('resume', Options, values);
    const { plan, manifest } = await readRunDocuments(runDir);
    if (!plan || !manifest) throw new CliError(`curtain resume: ${runDir}: not a run directory made by curtain run (plan.json and run.json are needed)`);
    const recorded = recordedRunOptions(manifest);
    const signals = new StopSignals('resume', (text) => io.err(text), 'while preparing (nothing was started)');
    let progress: ProgressDisplay | null = null;
    try {
      await reapDeadRuns((line) => io.err(line), { by: `curtain resume (pid ${process.pid})` });
      const bundlesRoot = o.bundles ? path.resolve(io.cwd, o.bundles) : (recorded.bundlesRoot ?? undefined);
      const bundles = await prepareBundles(bundlesRoot, (line) => io.err(line));
      const display = new ProgressDisplay(
        { write: io.isTty ? (text) => process.stderr.write(text) : (text) => io.err(text.replace(/\n$/, '')), isTty: io.isTty },
        plan,
      );
      progress = display;
      signals.running((text) => display.note(text));
      const result = await resumeLocalRun(runDir, {
        bundles,
        resend: o.resend,
        interrupt: signals.signal,
        report: !o['no-report'],
        onEvent: (event) => display.onEvent(event),
        onPlatform: (stats) => display.attach(stats),
        log: (line) => display.note(line),
      });
      display.stop();
      io.out(o.json ? JSON.stringify(localRunJson(result), null, 2) : renderLocalRun(result, io.cwd));
      return localRunExitCode(result);
    } finally {
      progress?.stop();
      signals.dispose();
    }
  },
};
