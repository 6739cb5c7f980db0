/**
 * Building blocks of the rerun commands every target gives `curtain replan`
 * (ProviderTarget.rerunCommands): the study's parameters as `name=value`
 * assignments and the start/fetch pair every cloud shares. Commands are
 * structured (env pairs and argv); replan quotes them when it prints them.
 */
import type { ParameterValue } from '../experiments/schema';
import type { RerunCommand, RerunSubject } from './provider-target';
import type { z } from 'zod';

/** The plan's parameters as `name=value` (lists comma-separated), as `--set` and `-c set.` take them; none for a definition file. */
export function parameterAssignments(plan: RerunSubject, definitionFile: string | undefined): string[] {
  if (definitionFile) return [];
  return Object.entries(plan.parameters as Record<string, z.output<typeof ParameterValue>>).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
}

export function command(argv: string[], env: [string, string][] = []): RerunCommand {
  return { env, argv };
}

/** `curtain start` then `curtain fetch` of a deployed study. */
export function startAndFetch(plan: RerunSubject, extra: string[] = []): RerunCommand[] {
  return (['start', 'fetch'] as const).map((verb) => command(['npx', 'curtain', verb, plan.study.id, '--provider', plan.provider, ...extra]));
}
