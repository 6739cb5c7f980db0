/**
 * Every file generated from code (docs, schemas, the Python probe's variable table), with its renderer.
 * `npm run docs` writes them; test/docs/generated-docs.test.ts fails when one
 * is out of date, so the docs cannot drift from the schemas and the catalog.
 * Adding a generated file: one entry here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudyPlan } from '../experiments/plan-schema';
import { ProbeResponse } from '../probe-runtime/contracts/probe-wire';
import { InvocationRecord } from '../probe-runtime/contracts/invocation-record';
import { StudyDefinition } from '../experiments/schema';
import { renderStudiesMarkdown } from './render-studies';
import { renderOrchestratorLimits } from './render-orchestrator-limits';
import { ReportSummary } from '../analysis/report/summary-schema';
import { renderLocalPlatformDoc } from '../local/docs/local-platform-doc';
import { renderMetricsList } from './render-metrics';
import { renderPlatformVariables } from './render-platform-variables';

export interface GeneratedDoc {
  /** Path relative to the repository root. */
  path: string;
  /** The file's generated content, given its current content (null when absent): regions of hand-written docs are spliced in. */
  render(current: string | null): string;
}

/**
 * A generated region of a hand-written doc, between `<!-- generated: NAME -->` and
 * `<!-- end generated: NAME -->` lines; the rest of the file is left as written.
 */
/** docs/examples/keep-warm.ts as the guide shows it: the file itself, so the two cannot differ. */
function keepWarmExample(): string {
  return ['```ts', readFileSync(path.resolve(__dirname, '../docs/examples/keep-warm.ts'), 'utf8').trimEnd(), '```'].join('\n');
}

function region(name: string, body: () => string): (current: string | null) => string {
  return (current) => {
    const start = `<!-- generated: ${name} (npm run docs) -->`;
    const end = `<!-- end generated: ${name} -->`;
    const text = current ?? '';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`the doc has no region ${start} … ${end}`);
    return `${text.slice(0, from + start.length)}\n${body()}\n${text.slice(to)}`;
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output', id: string, title: string): string {
  const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ $id: id, title, ...generated }, null, 2)}\n`;
}

export const GENERATED_DOCS: GeneratedDoc[] = [
  {
    path: 'docs/schemas/study-definition.schema.json',
    // Input form: fields with defaults are optional, as an author writes them.
    render: () => jsonSchema(StudyDefinition, 'input', 'https://curtain.dev/schemas/study-definition.schema.json', 'Curtain study definition'),
  },
  {
    path: 'docs/schemas/study-plan.schema.json',
    render: () => jsonSchema(StudyPlan, 'output', 'https://curtain.dev/schemas/study-plan.schema.json', 'Curtain study plan'),
  },
  { path: 'docs/studies.md', render: renderStudiesMarkdown },
  {
    // The Python probe's output is validated against this file (test/probe-runtime/probe/python).
    path: 'docs/schemas/probe-response.schema.json',
    render: () => jsonSchema(ProbeResponse, 'output', 'https://curtain.dev/schemas/probe-response.schema.json', 'Curtain probe response'),
  },
  // How each catalog study's run is split into orchestrator executions on each cloud, and the nearest limit (docs/<cloud>.md link them).
  { path: 'docs/aws-limits.md', render: () => renderOrchestratorLimits('aws') },
  { path: 'docs/gcp-limits.md', render: () => renderOrchestratorLimits('gcp') },
  { path: 'docs/azure-limits.md', render: () => renderOrchestratorLimits('azure') },
  {
    // One line of a results shard (docs/results-schema.md explains every field).
    path: 'docs/schemas/invocation-record.schema.json',
    render: () => jsonSchema(InvocationRecord, 'output', 'https://curtain.dev/schemas/invocation-record.schema.json', 'Curtain invocation record'),
  },
  {
    // summary.json of `curtain report` (docs/analysis.md).
    path: 'docs/schemas/report-summary.schema.json',
    render: () => jsonSchema(ReportSummary, 'output', 'https://curtain.dev/schemas/report-summary.schema.json', 'Curtain report summary'),
  },
  // The embedded local platform: profiles with their sources, default time scales, faults, ground truth.
  { path: 'docs/local-platform.md', render: renderLocalPlatformDoc },
  // The metrics claims can name, from the metric catalog, and the worked example's file (regions of the hand-written guide).
  {
    path: 'docs/writing-a-study.md',
    render: (current) => region('metrics', renderMetricsList)(region('keep-warm example', keepWarmExample)(current)),
  },
  // Not a doc: the Python probe's copy of the Node probe's platform variables (one table, two languages).
  { path: 'probe-runtime/python/curtain_probe/platform_variables.py', render: renderPlatformVariables },
];
