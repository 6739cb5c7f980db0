/** The command that reruns a plan on the embedded local platform (`curtain replan`). */
import type { RerunCommand, RerunSubject } from '../targets/provider-target';
import { command, parameterAssignments } from '../targets/rerun';

export function localRerunCommands(plan: RerunSubject, options: { definitionFile?: string } = {}): RerunCommand[] {
  const sets = parameterAssignments(plan, options.definitionFile).flatMap((a) => ['--set', a]);
  return [command(['npx', 'curtain', 'run', options.definitionFile ?? plan.study.id, ...sets, '--max-invocations', String(plan.budget.maxInvocations)])];
}
