import path from 'node:path';
import { z } from 'zod';
import { parseSets } from '../../experiments/resolve-study';
import { parseFaultOptions } from '../../local/faults';
import { PROFILE_NAMES, PROFILES, resolveProfile } from '../../local/profiles';
import { prepareBundles } from '../../local/run/prepare-bundles';
import { ProgressDisplay } from '../../local/run/progress';
import { renderLocalRun } from '../../local/run/render-result';
import { planLocalRun, PlanOverBudgetError, runLocalStudy } from '../../local/run/run-local-study';
import { formatSeconds, minimumLocalSeconds, TimeScale, type TimeScaleChoice } from '../../local/time-scale';
import { EXIT } from '../cli-error';
import type { Command } from '../command';
import { table } from '../format';
import { type OptionSpec, parseCommandArgs, requirePositional, validateOptions } from '../options';
import { prepareOutputDir } from '../output-dir';
import { StopSignals } from '../stop-signals';
import { CliError } from '../cli-error';
import { checkMachineFits } from '../../local/run/machine-fit';
import { reapDeadRuns } from '../../local/run-state/reaper';
import { localRunExitCode, localRunJson } from '../../local/run/render-result';
import { pathOption, runIdOption, setOption } from '../study-options';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { TWIN_OPTIONS } from '../../targets/provider-target';
import { RUN_TARGETS } from '../../targets/registry';
import { runOnTarget } from './run-on-target';

/** `--target` values: the local platform and every registered target with a twin (targets/registry.ts). */
const RUN_TARGET_IDS = RUN_TARGETS.map((t) => t.id);

/** Exit code of a run stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report it. */
export const EXIT_INTERRUPTED = EXIT.interrupted;

const usage = `Usage: curtain run <study|definition-file> [options]

Runs a study on the embedded local platform: real probe processes on emulated hosts, the real
driver, the same bucket layout as the clouds, then the report. No cloud account needed.
  --target T              ${RUN_TARGET_IDS.join('|')} (default local): another target runs its study on its
                          twin on this machine (AWS: the synthesized stack on loopback emulators; Cloudflare:
                          the Workers in workerd; docs/twins.md), then fetches and reports. Each twin takes
                          --set, --out, --run, --no-report, --json and its own few options (refused otherwise)
  --profile NAME          platform profile: ${PROFILE_NAMES.join(', ')} (default modern; --list-profiles)
  --profile-set k=v       override a profile knob by dotted path (repeatable),
                          e.g. lifecycle.freezeBetweenInvocations=false
  --time-scale N          run waits and platform timers N times faster (default: per study, so that
                          the plan's waits take at most a minute; latencies are never scaled)
  --out DIR               results root (default ./curtain-results): <DIR>/<study>/<run>/
  --set key=value         override a study parameter (repeatable; see \`curtain show <study>\`)
  --fault k=v             inject faults (repeatable): crash, hang, startFailure, slowHosts,
                          driverCrash (probabilities), slowHostCpuFactor, slowHostDelayMs, seed
  --seed N                seed of placement and platform timers (default 2018)
  --run ID                run id (default: a new one from the current time)
  --max-invocations N     override the budget's maximum attempts
  --cpu-quota auto|off    CPU quotas through cgroups where the machine allows (default auto)
  --io-limit auto|off     per-host disk bandwidth through blkio where the machine allows (default auto)
  --bundles DIR           run the bundles of DIR/dist/runtime instead of building this checkout's
  --no-report             skip the report (the records are written as usual)
  --resend                when a driver dies after it began sending, send its requests without a recorded
                          answer again (their records say so: priorSends); default: record them as of
                          unknown fate, for \`curtain resume --resend\` to send later
  --json                  print the result summary as JSON
  --list-profiles         list the platform profiles and exit
Ctrl-C stops after the running step: every instance ends, the records stay valid, run.json
says interrupted; \`curtain resume <run-dir>\` continues it. A run id is used once: an existing run
directory is refused. A plan this machine cannot hold is refused before anything starts.
Exit codes: 0 completed; 1 invalid input; 2 over budget; 3 failed; 130 interrupted.`;

/** The options of `curtain run` (exported for the tests that parse printed rerun commands back). */
export const RUN_OPTION_SPEC = {
  target: { type: 'string' },
  profile: { type: 'string' },
  'profile-set': { type: 'string', multiple: true },
  'time-scale': { type: 'string' },
  out: { type: 'string', short: 'o' },
  set: { type: 'string', multiple: true },
  fault: { type: 'string', multiple: true },
  seed: { type: 'string' },
  run: { type: 'string' },
  'max-invocations': { type: 'string' },
  'cpu-quota': { type: 'string' },
  'io-limit': { type: 'string' },
  bundles: { type: 'string' },
  'no-report': { type: 'boolean' },
  json: { type: 'boolean' },
  'list-profiles': { type: 'boolean' },
  resend: { type: 'boolean' },
} as const satisfies OptionSpec;

export const RunCliOptions = z.object({
  target: z.enum(RUN_TARGET_IDS as [string, ...string[]], { error: () => `expected one of ${RUN_TARGET_IDS.join(', ')}` }).default('local'),
  profile: z.enum(PROFILE_NAMES as [string, ...string[]], { error: () => `expected one of ${PROFILE_NAMES.join(', ')}` }).optional(),
  'profile-set': setOption,
  'time-scale': z.coerce.number().positive().max(1_000_000).optional(),
  out: pathOption.default('curtain-results'),
  set: setOption,
  fault: setOption,
  seed: z.coerce.number().int().min(0).optional(),
  run: runIdOption.optional(),
  'max-invocations': z.coerce.number().int().positive().optional(),
  'cpu-quota': z.enum(['auto', 'off']).default('auto'),
  'io-limit': z.enum(['auto', 'off']).default('auto'),
  bundles: pathOption.optional(),
  'no-report': z.boolean().default(false),
  json: z.boolean().default(false),
  'list-profiles': z.boolean().default(false),
  resend: z.boolean().default(false),
});

export const runCommand: Command = {
  name: 'run',
  summary: 'run a study on the embedded local platform and write its report',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('run', args, RUN_OPTION_SPEC, usage);
    const o = validateOptions('run', RunCliOptions, values);
    if (o['list-profiles']) {
      io.out(table(['profile', 'models', 'description'], PROFILE_NAMES.map((n) => [n, PROFILES[n]!.models ?? '-', PROFILES[n]!.description])));
      return EXIT.ok;
    }
    const study = requirePositional('run', positionals, 'study', usage);
    // Validate everything the user typed before building bundles or starting processes.
    const sets = parseSets(o.set);
    if (o.target !== 'local') {
      // What the user typed, not the defaults the schema filled in.
      const typed = (option: keyof typeof values) => [values[option] ?? []].flat().length > 0;
      const localOnly = (['fault', 'cpu-quota'] as const).filter(typed);
      if (localOnly.length > 0) {
        io.err(`curtain run: --${localOnly.join(', --')} apply to --target local only`);
        return EXIT.usage;
      }
      return runOnTarget(
        o.target as ProviderId,
        {
          study,
          sets,
          out: o.out,
          profile: o.profile,
          profileSet: parseSets(o['profile-set']),
          timeScale: o['time-scale'],
          seed: o.seed,
          bundles: o.bundles,
          maxInvocations: o['max-invocations'],
          run: o.run,
          report: !o['no-report'],
          json: o.json,
          given: TWIN_OPTIONS.filter(typed),
        },
        io,
      );
    }
    const profileSet = parseSets(o['profile-set']);
    const profile = resolveProfile(o.profile, profileSet);
    const faults = parseFaultOptions(o.fault, profile.faults);
    let plan: StudyPlan;
    try {
      plan = planLocalRun({ study, sets, maxInvocations: o['max-invocations'] });
    } catch (error) {
      if (error instanceof PlanOverBudgetError) {
        io.err(`curtain: ${error.message}`);
        return EXIT.overBudget;
      }
      throw error;
    }
    const outDir = await prepareOutputDir('run', '--out', path.resolve(io.cwd, o.out));
    // Nothing is started before the machine is known to hold the plan.
    const fit = checkMachineFits(plan, profile, study, sets);
    if (fit) throw new CliError(`curtain run: ${fit}`);
    const signals = new StopSignals('run', (text) => io.err(text), 'while preparing (nothing was started)');
    try {
      await reapDeadRuns((line) => io.err(line), { by: `curtain run (pid ${process.pid})` });
      const bundles = await prepareBundles(o.bundles, (line) => io.err(line));
      const progress = new ProgressDisplay(
        { write: io.isTty ? (text) => process.stderr.write(text) : (text) => io.err(text.replace(/\n$/, '')), isTty: io.isTty },
        plan,
      );
      signals.running((text) => progress.note(text));
      const announce = (choice: TimeScaleChoice) => {
        const floor = minimumLocalSeconds(plan, new TimeScale(choice.scale));
        progress.note(
          `curtain run ${plan.study.id}: ${plan.invocations} requests in ${plan.steps.length} steps, profile ${profile.name}, time scale ${choice.scale}x` +
            (floor >= 60 ? `; at least ${formatSeconds(floor)} (barriers and scaled waits)` : ''),
        );
      };
      const result = await runLocalStudy({
        study,
        plan,
        sets,
        profile: profile.name,
        profileSet,
        timeScale: o['time-scale'],
        outDir,
        faults,
        seed: o.seed,
        run: o.run,
        typed: { set: o.set, profileSet: o['profile-set'], fault: o.fault },
        maxInvocations: o['max-invocations'],
        bundles,
        resend: o.resend,
        interrupt: signals.signal,
        cpuQuota: o['cpu-quota'],
        ioLimit: o['io-limit'],
        report: !o['no-report'],
        onEvent: (event) => progress.onEvent(event),
        onTimeScale: announce,
        onPlatform: (stats) => progress.attach(stats),
        log: (line) => progress.note(line),
      });
      progress.stop();
      io.out(o.json ? JSON.stringify(localRunJson(result), null, 2) : renderLocalRun(result, io.cwd));
      return localRunExitCode(result);
    } finally {
      signals.dispose();
    }
  },
};
