/**
 * The execution limits of each cloud's orchestration engine, as part of the
 * capability table: what one execution of a study's orchestrator may hold
 * (history events, executed steps, duration, state size). Orchestrators walk
 * the plan with a definition of constant size (issue 18), so these limits no
 * longer bound a study's length: a run that would cross one is split into
 * segments, each a fresh execution that continues where the previous one
 * stopped (targets/segmentation.ts). A study is refused only when a single
 * step cannot fit.
 *
 * Each value carries what it limits, its source and the date it was read.
 * Durable Functions publishes no hard history limit, only guidance; its entry
 * is Curtain's own budget, marked as such.
 */

/** A platform limit: its value, what it bounds, where it is written down and when that was read. */
export interface DocumentedLimit {
  readonly value: number;
  readonly unit: string;
  /** What is limited, as a phrase ("history events of one execution"). */
  readonly what: string;
  readonly source: { readonly title: string; readonly url: string };
  readonly checked: string;
  /** True when the value is Curtain's own choice within a documented guidance rather than the platform's hard limit. */
  readonly policy?: boolean;
}

const CHECKED = '2026-12-06';

const limit = (value: number, unit: string, what: string, title: string, url: string, policy = false): DocumentedLimit => ({
  value,
  unit,
  what,
  source: { title, url },
  checked: CHECKED,
  ...(policy ? { policy } : {}),
});

const SFN_QUOTAS = ['Step Functions service quotas', 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html'] as const;
const SFN_START = ['Step Functions API Reference: StartExecution', 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html'] as const;
const WORKFLOWS_QUOTAS = ['Workflows quotas and limits', 'https://cloud.google.com/workflows/quotas'] as const;
const WORKFLOWS_EXECUTION = [
  'Workflow Executions API: projects.locations.workflows.executions (argument)',
  'https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions',
] as const;
const DURABLE_ETERNAL = [
  'Durable Functions: eternal orchestrations (history grows with every scheduled task; continue-as-new resets it) and best practices (large histories risk memory exceptions during replay)',
  'https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-eternal-orchestrations',
] as const;

export const ORCHESTRATION_LIMITS = {
  aws: {
    historyEvents: limit(25_000, 'events', 'Step Functions history events of one execution (Standard)', ...SFN_QUOTAS),
    executionSeconds: limit(365 * 24 * 3600, 's', 'Step Functions Standard execution duration', ...SFN_QUOTAS),
    definitionBytes: limit(1_048_576, 'bytes', 'Step Functions state machine definition size', ...SFN_QUOTAS),
    payloadBytes: limit(262_144, 'bytes', 'Step Functions input or output of a state, task or execution (UTF-8)', ...SFN_QUOTAS),
    executionNameChars: limit(80, 'characters', 'Step Functions execution name', ...SFN_START),
  },
  gcp: {
    stepsPerExecution: limit(100_000, 'steps', 'Workflows steps executed in one execution', ...WORKFLOWS_QUOTAS),
    executionSeconds: limit(365 * 24 * 3600, 's', 'Workflows execution duration', ...WORKFLOWS_QUOTAS),
    sourceBytes: limit(128 * 1024, 'bytes', 'Workflows source size', ...WORKFLOWS_QUOTAS),
    variableBytes: limit(512 * 1024, 'bytes', 'Workflows memory of variables, arguments and events, all together', ...WORKFLOWS_QUOTAS),
    argumentBytes: limit(32 * 1024, 'bytes', 'Workflows execution argument (a JSON string)', ...WORKFLOWS_EXECUTION),
  },
  azure: {
    historyEvents: limit(10_000, 'events', 'Durable Functions orchestration history events before continue-as-new (Curtain budget)', ...DURABLE_ETERNAL, true),
  },
} as const satisfies Record<'aws' | 'gcp' | 'azure', Record<string, DocumentedLimit>>;

/** "Step Functions history events of one execution (Standard): 25,000 events (Step Functions service quotas, <url>, checked 2026-12-06)". */
export function describeLimit(l: DocumentedLimit): string {
  return `${l.what}: ${l.value.toLocaleString('en-US')} ${l.unit} (${l.policy ? 'Curtain budget following ' : ''}${l.source.title}, ${l.source.url}, checked ${l.checked})`;
}
