/**
 * The embedded local platform as a provider target (targets/provider-target.ts):
 * nothing is deployed; `curtain run` walks the plan (local/orchestrator/walk-plan.ts)
 * with real probe and driver processes on emulated hosts and writes the results
 * into a directory in the bucket layout.
 */
import type { ProviderTarget } from '../targets/provider-target';
import { targetTables } from '../targets/target-tables';
import { localRerunCommands } from './rerun';

export const localTarget: ProviderTarget<'local'> = {
  ...targetTables('local'),
  deployment: { kind: 'embedded', instead: '`npx curtain run <study>` runs the plan on this machine (docs/local-platform.md)' },
  orchestrator: { engine: 'the local walker (local/orchestrator/walk-plan.ts)', compile: (plan) => ({ format: 'plan', definition: plan, definitionSize: null, segmentation: null }) },
  client: { kind: 'none', reason: 'a local run starts and stores its results in one command: use `curtain run`' },
  rerunCommands: localRerunCommands,
  guide: 'docs/local-platform.md',
};
