/**
 * Runs the local platform's walker (local/orchestrator/walk-plan.ts) over a
 * plan with a recording stand-in for the driver process
 * (../fixtures/recording-driver.js), its updates and waits recorded in the
 * same file in the order the walker makes them (waits as the walker starts
 * them, at a time scale that takes no real time).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { walkPlan } from '../../../local/orchestrator/walk-plan';
import { RunJournal } from '../../../local/run-state/run-journal';
import { Random } from '../../../local/random';
import { TimeScale } from '../../../local/time-scale';
import { runPrefix } from '../../../probe-runtime/contracts/bucket-layout';
import { createLocalDirSink } from '../../../probe-runtime/driver/sinks/local-dir';
import { type RawAction, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

const RECORDING_DRIVER = path.join(__dirname, '..', 'fixtures', 'recording-driver.js');

/**
 * A scale at which every wait takes no real time to speak of. The walker schedules waits on its
 * platform clock (local/orchestrator/platform-clock.ts), which also counts other functions' bursts,
 * so the wait it acts on is recorded from its step event; that it lands on its planned platform
 * time is checked by the units test of the clock and the idle-recycling run at 200×.
 */
const NO_REAL_TIME = new TimeScale(1e9);

export const localWalkerTraceRunner: TraceRunner = {
  async run(_plan, compiled) {
    const plan = compiled.definition as StudyPlan;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-local-trace-'));
    const traceFile = path.join(dir, 'trace.jsonl');
    const record = (action: RawAction) => appendFileSync(traceFile, `${JSON.stringify(action)}\n`);
    const results = path.join(dir, 'results');
    const runDir = path.join(results, ...runPrefix(plan.study.id, TRACE_RUN).split('/'));
    try {
      const result = await walkPlan({
        plan,
        run: TRACE_RUN,
        runDir,
        driver: { command: process.execPath, args: [RECORDING_DRIVER], env: { CURTAIN_TRACE_FILE: traceFile } },
        sink: createLocalDirSink(results),
        journal: new RunJournal(runDir),
        update: (key, change, generation) => record({ kind: 'update', function: key, generation, change }),
        // The recording driver sends nothing and never dies: no arrivals to reconcile, no run.json to close for it.
        arrivals: () => new Set(),
        driverJournals: false,
        resend: false,
        finishInProcess: () => Promise.reject(new Error('the recording driver runs finish-run itself')),
        timeScale: NO_REAL_TIME,
        onEvent: (event) => {
          if (event.kind === 'step' && event.step.kind === 'wait') record({ kind: 'wait', seconds: event.step.seconds });
        },
        interrupt: new AbortController().signal,
        driverCrash: 0,
        faultRandom: new Random(1),
      });
      if (result.failures.length > 0) throw new Error(`the walk failed: ${JSON.stringify(result.failures.slice(0, 3))}`);
      return readFileSync(traceFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RawAction);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
