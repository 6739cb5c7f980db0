/**
 * The rerun command builder of every provider target, keyed by provider id so
 * a provider without one does not compile. When the ProviderTarget registry
 * (issue 12) carries a rerun slot, these builders move into it.
 *
 * Twin targets (issue 11) plug in here too: a builder whose steps are
 * `executable` is run by `curtain replan --execute`.
 */
import type { ProviderId } from '../../experiments/schema';
import { awsRerun } from './aws';
import { azureRerun, gcpRerun } from './cdktf';
import { localRerun } from './local';
import type { RerunBuilder, RerunCommands, RerunRequest } from './rerun-request';

export const RERUN_BUILDERS: Record<ProviderId, RerunBuilder> = {
  aws: awsRerun,
  gcp: gcpRerun,
  azure: azureRerun,
  local: localRerun,
};

export function rerunCommands(request: RerunRequest): RerunCommands {
  return RERUN_BUILDERS[request.plan.provider](request);
}

export * from './rerun-request';
