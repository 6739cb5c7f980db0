/**
 * The rerun commands of a published plan: its target's builder
 * (ProviderTarget.rerunCommands in targets/registry.ts), so every registered
 * target, twin targets included, has one; the types are the targets' contract
 * (targets/rerun.ts).
 */
import type { RerunCommands, RerunRequest } from '../../targets/rerun';
import { TARGETS } from '../../targets/registry';

export function rerunCommands(request: RerunRequest): RerunCommands {
  return TARGETS[request.plan.provider].rerunCommands(request);
}

export * from '../../targets/rerun';
