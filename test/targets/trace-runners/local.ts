/**
 * Runs the local platform's walker (local/orchestrator/walk-plan.ts) over a
 * plan with a recording stand-in for the driver process
 * (../fixtures/recording-driver.js), its updates and waits recorded in the
 * same file in the order the walker makes them (waits through a time scale
 * that takes no real time).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { walkPlan } from '../../../local/orchestrator/walk-plan';
import { Random } from '../../../local/random';
import { TimeScale } from '../../../local/time-scale';
import { createLocalDirSink } from '../../../probe-runtime/driver/sinks/local-dir';
import { type RawAction, RUN_STARTED_AT, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

const RECORDING_DRIVER = path.join(__dirname, '..', 'fixtures', 'recording-driver.js');

/**
 * Records each wait the walker asks for (in platform seconds) and makes it take no real time. During an
 * anchored wait step the walker asks for the anchor's offset from the run's start (anchored-wait.ts): that
 * is recorded as the instant it ends for a run that started at RUN_STARTED_AT.
 */
class RecordingTimeScale extends TimeScale {
  /** Set while the walker is on an anchored wait step. */
  anchored = false;

  constructor(private readonly record: (action: RawAction) => void) {
    super(1);
  }

  override realMs(platformMs: number): number {
    if (this.anchored) this.record({ kind: 'wait-until', until: new Date(Date.parse(RUN_STARTED_AT) + platformMs).toISOString() });
    else this.record({ kind: 'wait', seconds: platformMs / 1000 });
    return 0;
  }
}

export const localWalkerTraceRunner: TraceRunner = {
  async run(_plan, compiled) {
    const plan = compiled.definition as StudyPlan;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-local-trace-'));
    const traceFile = path.join(dir, 'trace.jsonl');
    const record = (action: RawAction) => appendFileSync(traceFile, `${JSON.stringify(action)}\n`);
    const timeScale = new RecordingTimeScale(record);
    try {
      const result = await walkPlan({
        plan,
        run: TRACE_RUN,
        driver: { command: process.execPath, args: [RECORDING_DRIVER], env: { CURTAIN_TRACE_FILE: traceFile } },
        sink: createLocalDirSink(path.join(dir, 'results')),
        update: (key, change, generation) => record({ kind: 'update', function: key, generation, change }),
        timeScale,
        onEvent: (event) => {
          if (event.kind === 'step') timeScale.anchored = event.step.kind === 'wait' && event.step.untilSeconds !== undefined;
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
