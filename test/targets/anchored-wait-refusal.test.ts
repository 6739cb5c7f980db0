/**
 * Waits anchored to the run's start (`untilSeconds`, repeat `every`, open-loop arrival chunks) run
 * only where the target's capability `runAnchoredWaits` says its orchestrator ends them at run
 * start + untilSeconds (the local walker). Every other target refuses the plan when it is planned
 * (which is also how its cdk/cdktf app plans before synthesis), with one line naming the study and
 * the step; the follow-up that lifts this is docs/adding-a-provider.md, "Known limitation:
 * run-anchored waits".
 */
import path from 'node:path';
import { PlanRefusedError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import { TARGET_LIST } from '../../targets/registry';
import { runInProcess } from '../cli/run-cli';
import { anchoredWaitsDefinition } from './orchestrator-trace';

const refusing = TARGET_LIST.filter((t) => !t.capabilities.runAnchoredWaits);
const supporting = TARGET_LIST.filter((t) => t.capabilities.runAnchoredWaits);

test('the capability table says which orchestrators end run-anchored waits: the local walker only, for now', () => {
  expect(supporting.map((t) => t.id)).toEqual(['local']);
  expect(refusing.map((t) => t.id).sort()).toEqual(['aws', 'azure', 'cloudflare', 'gcp']);
});

describe.each(refusing.map((t) => [t.id, t] as const))('%s refuses a plan with run-anchored waits', (id) => {
  // The step ids are the plan's; the local plan has the same steps (ids are index and kind).
  const local = planStudy(anchoredWaitsDefinition(), { provider: 'local' });
  const anchored = local.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);

  test('one line naming the study and the first anchored step, saying the cloud orchestrators do not yet support them', () => {
    expect(anchored.length).toBeGreaterThanOrEqual(5);
    let error: unknown;
    try {
      planStudy(anchoredWaitsDefinition(), { provider: id });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanRefusedError);
    const reasons = (error as PlanRefusedError).reasons;
    expect(reasons).toEqual([
      `study anchored, step ${anchored[0]!.id} (and ${anchored.length - 1} more): the cloud orchestrators do not yet support run-anchored waits (untilSeconds, repeat every, open-loop arrivals); local runs them`,
    ]);
    expect(reasons[0]).not.toContain('\n');
  });

  test('the same study with plain waits (a repeat without every, a wait of seconds) is not refused', () => {
    const plain = anchoredWaitsDefinition();
    plain.schedule = [
      { kind: 'burst', label: 'first', requestsPerTarget: 1 },
      { kind: 'repeat', times: 3, steps: [{ kind: 'wait', seconds: 60 }, { kind: 'burst', label: 'ping', requestsPerTarget: 1 }] },
    ];
    const plan = planStudy(plain, { provider: id });
    expect(plan.steps.filter((s) => s.kind === 'wait')).toHaveLength(3);
  });
});

test('curtain validate on the keep-warm example: every cloud refuses with the one line, local accepts', async () => {
  const r = await runInProcess(['validate', path.join('docs', 'examples', 'keep-warm.ts')]);
  expect(r.code).toBe(0);
  for (const t of refusing) {
    expect(r.stdout).toMatch(new RegExp(`^  ${t.id}: refused: study keep-warm, step \\S+ \\(and \\d+ more\\): the cloud orchestrators do not yet support run-anchored waits`, 'm'));
  }
  expect(r.stdout).toMatch(/^ {2}local: plans \d+ requests/m);
});
