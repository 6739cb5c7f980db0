/**
 * A resumed local run (issue 14: `curtain resume`, no start-run) keeps its anchored waits (issue 16) on
 * the run's own start: the walker reads run.json's startedAt, not the time it was resumed.
 */
import { planStudy } from '../../experiments/plan';
import { anchoredWaitTimes, anchorKey } from '../../probe-runtime/contracts/anchored-waits';
import { anchoredWaitsDefinition } from '../targets/orchestrator-trace';
import { walkWithRecordingDriver } from '../targets/trace-runners/local';

test('anchored waits after the resume point end at run.json startedAt + untilSeconds', async () => {
  const plan = planStudy(anchoredWaitsDefinition(), { provider: 'local' });
  const anchored = plan.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);
  const fromStep = anchored[2]!.index;
  // A start an hour before anything else in the test: only run.json can give it.
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  const actions = await walkWithRecordingDriver(plan, { point: { fromStep, work: new Map() }, resumedStartedAt: startedAt });
  const anchors = anchoredWaitTimes(plan, Date.parse(startedAt))!;
  const expected = anchored.filter((w) => w.index >= fromStep).map((w) => ({ kind: 'wait-until', until: anchors[anchorKey(w.index)] }));
  expect(actions.filter((a) => a.kind === 'wait-until')).toEqual(expected);
  // No start-run was sent: the run was resumed.
  expect(actions.some((a) => a.kind === 'driver' && (a.event as { action: string }).action === 'start-run')).toBe(false);
});
