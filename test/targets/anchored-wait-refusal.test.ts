/**
 * Waits anchored to the run's start (`untilSeconds`, repeat `every`, open-loop arrival chunks) run
 * only where the target's capability `runAnchoredWaits` says its orchestrator ends them at run
 * start + untilSeconds: every registered target now does, each under the anchored-waits trace
 * conformance (orchestrator-conformance.test.ts). A target without the capability (a new provider
 * whose orchestrator does not wait on `until` yet: docs/adding-a-provider.md, "Run-anchored waits")
 * has the plan refused when it is planned (which is also how its cdk/cdktf app plans before
 * synthesis), in one line naming the study and the step; that path is exercised here by taking the
 * capability away from one target for the duration of a test.
 */
import path from 'node:path';
import { CAPABILITIES } from '../../experiments/capabilities';
import { PlanRefusedError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { TARGET_LIST } from '../../targets/registry';
import { runInProcess } from '../cli/run-cli';
import { anchoredWaitsDefinition } from './orchestrator-trace';

/** Every registered target's orchestrator ends anchored waits, each under the anchored-waits trace conformance. */
const SUPPORTING = TARGET_LIST.map((t) => t.id).sort();

test('the capability table says every registered orchestrator ends run-anchored waits', () => {
  expect(TARGET_LIST.filter((t) => !t.capabilities.runAnchoredWaits).map((t) => t.id)).toEqual([]);
});

/** Runs `body` with `provider`'s capability taken away (restored whatever happens). */
function withoutAnchoredWaits<T>(provider: ProviderId, body: () => T): T {
  const capabilities = CAPABILITIES[provider] as { runAnchoredWaits: boolean };
  const saved = capabilities.runAnchoredWaits;
  capabilities.runAnchoredWaits = false;
  try {
    return body();
  } finally {
    capabilities.runAnchoredWaits = saved;
  }
}

describe('a target whose orchestrator does not end run-anchored waits refuses such a plan', () => {
  const provider: ProviderId = 'azure';
  // The step ids are the plan's; the local plan has the same steps (ids are index and kind).
  const local = planStudy(anchoredWaitsDefinition(), { provider: 'local' });
  const anchored = local.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);

  test('one line naming the study, the first anchored step and the targets that run them', () => {
    expect(anchored.length).toBeGreaterThanOrEqual(5);
    let error: unknown;
    withoutAnchoredWaits(provider, () => {
      try {
        planStudy(anchoredWaitsDefinition(), { provider });
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(PlanRefusedError);
    const reasons = (error as PlanRefusedError).reasons;
    const able = SUPPORTING.filter((id) => id !== provider);
    expect(reasons).toEqual([
      `study anchored, step ${anchored[0]!.id} (and ${anchored.length - 1} more): the ${provider} orchestrator does not yet support run-anchored waits (untilSeconds, repeat every, open-loop arrivals); ${able.join(', ')} run them`,
    ]);
    expect(reasons[0]).not.toContain('\n');
    // With the capability back, the same plan is accepted.
    expect(planStudy(anchoredWaitsDefinition(), { provider }).steps).toHaveLength(local.steps.length);
  });

  test('the same study with plain waits (a repeat without every, a wait of seconds) is not refused', () => {
    const plain = anchoredWaitsDefinition();
    plain.schedule = [
      { kind: 'burst', label: 'first', requestsPerTarget: 1 },
      { kind: 'repeat', times: 3, steps: [{ kind: 'wait', seconds: 60 }, { kind: 'burst', label: 'ping', requestsPerTarget: 1 }] },
    ];
    const plan = withoutAnchoredWaits(provider, () => planStudy(plain, { provider }));
    expect(plan.steps.filter((s) => s.kind === 'wait')).toHaveLength(3);
  });
});

test('curtain validate on the keep-warm example: every target plans it', async () => {
  const r = await runInProcess(['validate', path.join('docs', 'examples', 'keep-warm.ts')]);
  expect(r.code).toBe(0);
  for (const id of SUPPORTING) expect(r.stdout).toMatch(new RegExp(`^  ${id}: plans \\d+ requests`, 'm'));
  expect(r.stdout).not.toMatch(/refused/);
});
