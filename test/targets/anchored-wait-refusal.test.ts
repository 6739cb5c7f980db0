/**
 * Waits anchored to the run's start (`untilSeconds`, repeat `every`, open-loop arrival chunks) run
 * only where the target's capability `runAnchoredWaits` says its orchestrator ends them at run
 * start + untilSeconds (the local walker, and the cloud orchestrators whose trace conformance walks
 * the anchored-waits study: orchestrator-conformance.test.ts). Every other target refuses the plan
 * when it is planned (which is also how its cdk/cdktf app plans before synthesis), with one line
 * naming the study and the step; docs/adding-a-provider.md, "Run-anchored waits", says what lifts it.
 */
import path from 'node:path';
import { PlanRefusedError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import { TARGET_LIST } from '../../targets/registry';
import { runInProcess } from '../cli/run-cli';
import { anchoredWaitsDefinition } from './orchestrator-trace';

const refusing = TARGET_LIST.filter((t) => !t.capabilities.runAnchoredWaits);
const supporting = TARGET_LIST.filter((t) => t.capabilities.runAnchoredWaits);
/** The targets whose orchestrator was made to end anchored waits, each under the anchored-waits trace conformance. */
const SUPPORTING = ['aws', 'cloudflare', 'gcp', 'local'];

test('the capability table says which orchestrators end run-anchored waits', () => {
  expect(supporting.map((t) => t.id).sort()).toEqual(SUPPORTING);
  expect(refusing.map((t) => t.id).sort()).toEqual(TARGET_LIST.map((t) => t.id).filter((id) => !SUPPORTING.includes(id)).sort());
});

describe.each(refusing.map((t) => [t.id, t] as const))('%s refuses a plan with run-anchored waits', (id) => {
  // The step ids are the plan's; the local plan has the same steps (ids are index and kind).
  const local = planStudy(anchoredWaitsDefinition(), { provider: 'local' });
  const anchored = local.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);

  test('one line naming the study and the first anchored step, saying its orchestrator does not yet support them', () => {
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
      `study anchored, step ${anchored[0]!.id} (and ${anchored.length - 1} more): the ${id} orchestrator does not yet support run-anchored waits (untilSeconds, repeat every, open-loop arrivals); ${supporting.map((t) => t.id).join(', ')} run them`,
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

test('curtain validate on the keep-warm example: every target without anchored waits refuses with the one line, the others accept', async () => {
  const r = await runInProcess(['validate', path.join('docs', 'examples', 'keep-warm.ts')]);
  expect(r.code).toBe(0);
  for (const t of refusing) {
    expect(r.stdout).toMatch(new RegExp(`^  ${t.id}: refused: study keep-warm, step \\S+ \\(and \\d+ more\\): the ${t.id} orchestrator does not yet support run-anchored waits`, 'm'));
  }
  for (const t of supporting) expect(r.stdout).toMatch(new RegExp(`^  ${t.id}: plans \\d+ requests`, 'm'));
});
