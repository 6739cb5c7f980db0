/**
 * The embedded local platform as a provider target (targets/provider-target.ts):
 * nothing is deployed; `curtain run` walks the plan (local/orchestrator/walk-plan.ts)
 * with real probe and driver processes on emulated hosts and writes the results
 * into a directory in the bucket layout.
 */
import { CAPABILITIES } from '../experiments/capabilities';
import { PRICE_TABLES } from '../experiments/prices';
import { REGION_NAMES } from '../experiments/target-names';
import { driverBundleName, probeBundleName } from '../probe-runtime/contracts/bundle-manifest';
import type { ProviderTarget } from '../targets/provider-target';
import { localRerunCommands } from './rerun';

export const localTarget: ProviderTarget<'local'> = {
  id: 'local',
  capabilities: CAPABILITIES.local,
  prices: PRICE_TABLES.local,
  bundles: { probe: probeBundleName('local'), driver: driverBundleName('local') },
  options: { region: REGION_NAMES.local },
  deployment: { kind: 'embedded', instead: '`npx curtain run <study>` runs the plan on this machine (docs/local-platform.md)' },
  orchestrator: { engine: 'the local walker (local/orchestrator/walk-plan.ts)', compile: (plan) => ({ format: 'plan', definition: plan, definitionSize: null, segmentation: null }) },
  client: { kind: 'none', reason: 'a local run starts and stores its results in one command: use `curtain run`' },
  rerunCommands: localRerunCommands,
  guide: 'docs/local-platform.md',
};
