/**
 * A Google Cloud Workflows source against Google's published JSON Schema
 * (SchemaStore's workflows.json, see references/README.md) and the documented
 * rules a schema cannot state:
 *
 *   - a variable of the parent scope that a parallel branch or iteration
 *     assigns must be listed in `shared`, or the deployment fails (Workflows
 *     syntax reference, parallel steps; checked statically, as Google does at
 *     deploy time, not only on the paths an execution happens to take);
 *   - the source is at most 128 KiB; an http.* call's timeout is at most 1,800 s
 *     (Workflows quotas, in the capability table).
 *
 * The schema types call arguments such as `args.timeout` as numbers, but
 * Workflows evaluates every argument as an expression; an argument that is a
 * whole `${...}` expression is therefore accepted where the schema wants a
 * number (its value is checked when the workflow runs, in
 * test/stacks/gcp/workflow-conformance.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { CLOUD_LIMITS, describeLimit } from '../../../experiments/capabilities';
import type { Finding } from '../support/findings';

const SCHEMA_FILE = path.join(__dirname, '..', 'references', 'workflows', 'workflows.schema.json');
export const SCHEMA_REFERENCE = 'test/conformance/references/workflows/workflows.schema.json (SchemaStore)';
export const PARALLEL_REFERENCE = 'Workflows syntax: parallel steps, shared variables (https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps)';

const WHOLE_EXPRESSION = /^\$\{[\s\S]*\}$/;

/** Wraps every typed subschema of call arguments so a whole `${...}` expression is accepted in its place. */
function acceptExpressions(node: unknown): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, sub]) => [p, acceptExpressions(sub)]));
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v)) out[k] = v.map(acceptExpressions);
    else if (k === 'additionalProperties' || k === 'items') out[k] = acceptExpressions(v);
    else out[k] = v;
  }
  const type = out.type;
  if (typeof type === 'string' && type !== 'string') return { anyOf: [{ type: 'string', pattern: WHOLE_EXPRESSION.source }, out] };
  return out;
}

let validator: ReturnType<Ajv['compile']> | null = null;
function schemaValidator() {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema?: string; definitions: Record<string, unknown> };
    delete schema.$schema;
    schema.definitions.args = acceptExpressions(schema.definitions.args);
    validator = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  }
  return validator;
}

export function checkWorkflowSchema(artifact: string, source: string): Finding[] {
  const program = parse(source) as unknown;
  const validate = schemaValidator();
  if (validate(program)) return [];
  const errors = (validate.errors ?? []) as ErrorObject[];
  // oneOf/anyOf summaries repeat what their branches say; keep the concrete lines when there are any.
  const concrete = errors.filter((e) => !['oneOf', 'anyOf'].includes(e.keyword));
  return (concrete.length > 0 ? concrete : errors).map((e) => ({ artifact, field: e.instancePath || '/', reference: SCHEMA_REFERENCE, message: `${e.message ?? e.keyword} ${JSON.stringify(e.params)}` }));
}

type Step = Record<string, unknown>;

/** Root variable names a list of steps assigns, recursively (assign keys, call results, except `as`, for loop variables). */
function assignedNames(steps: unknown, into = new Set<string>(), options: { skipParallel?: boolean } = {}): Set<string> {
  for (const entry of (Array.isArray(steps) ? steps : []) as Record<string, Step>[]) {
    for (const step of Object.values(entry)) visitStep(step, into, options);
  }
  return into;
}

function visitStep(step: Step, into: Set<string>, options: { skipParallel?: boolean }): void {
  if (!step || typeof step !== 'object') return;
  for (const a of (step.assign as Record<string, unknown>[] | undefined) ?? []) for (const key of Object.keys(a)) into.add(rootName(key));
  if (typeof step.result === 'string') into.add(rootName(step.result));
  if (step.steps) assignedNames(step.steps, into, options);
  for (const c of (step.switch as Step[] | undefined) ?? []) visitStep(c, into, options);
  if (step.try) visitStep(step.try as Step, into, options);
  const except = step.except as { as?: string; steps?: unknown } | undefined;
  if (except?.as) into.add(except.as);
  if (except?.steps) assignedNames(except.steps, into, options);
  const loop = step.for as { value?: string; index?: string; steps?: unknown } | undefined;
  if (loop) {
    if (loop.value) into.add(loop.value);
    if (loop.index) into.add(loop.index);
    assignedNames(loop.steps, into, options);
  }
  if (step.parallel && !options.skipParallel) visitParallelBody(step.parallel as Step, into, options);
}

function visitParallelBody(parallel: Step, into: Set<string>, options: { skipParallel?: boolean }): void {
  const loop = parallel.for as { steps?: unknown } | undefined;
  if (loop) assignedNames(loop.steps, into, options);
  for (const branch of (parallel.branches as Record<string, Step>[] | undefined) ?? []) for (const b of Object.values(branch)) visitStep(b, into, options);
}

function rootName(target: string): string {
  return target.split(/[.[]/)[0]!.trim();
}

/** Every parallel step of a subworkflow, with the path to it. */
function parallelSteps(steps: unknown, at: string, out: { path: string; parallel: Step }[] = []): { path: string; parallel: Step }[] {
  for (const entry of (Array.isArray(steps) ? steps : []) as Record<string, Step>[]) {
    for (const [name, step] of Object.entries(entry)) {
      const here = `${at}/${name}`;
      const walk = (s: Step | undefined, sub: string) => s && parallelSteps([{ [sub]: s }], here, out);
      if (!step || typeof step !== 'object') continue;
      if (step.parallel) {
        out.push({ path: here, parallel: step.parallel as Step });
        const p = step.parallel as Step;
        if (p.for) parallelSteps((p.for as Step).steps, `${here}/for`, out);
      }
      if (step.steps) parallelSteps(step.steps, here, out);
      (step.switch as Step[] | undefined)?.forEach((c, i) => c.steps && parallelSteps(c.steps, `${here}/switch[${i}]`, out));
      if (step.try) walk(step.try as Step, 'try');
      if ((step.except as Step | undefined)?.steps) parallelSteps((step.except as Step).steps, `${here}/except`, out);
      if ((step.for as Step | undefined)?.steps) parallelSteps((step.for as Step).steps, `${here}/for`, out);
    }
  }
  return out;
}

/** Variables of the parent scope that a parallel step assigns without declaring them `shared`. */
export function checkParallelShared(artifact: string, source: string): Finding[] {
  const program = parse(source) as Record<string, { params?: string[]; steps: unknown }>;
  const findings: Finding[] = [];
  for (const [name, sub] of Object.entries(program)) {
    for (const { path: where, parallel } of parallelSteps(sub.steps, name)) {
      // Parent scope: what the subworkflow assigns outside this parallel step, and its parameters.
      const outside = new Set<string>(sub.params ?? []);
      const withoutThis = JSON.parse(JSON.stringify(sub.steps, (_k, v) => (v === parallel ? null : v))) as unknown;
      assignedNames(withoutThis, outside);
      const inside = new Set<string>();
      visitParallelBody(parallel, inside, {});
      const loop = parallel.for as { value?: string; index?: string } | undefined;
      const iterationVariables = new Set([loop?.value, loop?.index].filter((v): v is string => !!v));
      const shared = new Set((parallel.shared as string[] | undefined) ?? []);
      for (const variable of [...inside].sort()) {
        if (iterationVariables.has(variable) || shared.has(variable) || !outside.has(variable)) continue;
        findings.push({ artifact, field: `${where}/parallel`, reference: PARALLEL_REFERENCE, message: `assigns "${variable}", a variable of the parent scope, without listing it in shared: a deployment error; use an iteration-local name or share it` });
      }
    }
  }
  return findings;
}

/** Source size and literal http.* call timeouts against the documented limits. */
export function checkWorkflowLimits(artifact: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const sizeLimit = CLOUD_LIMITS.gcp.workflowSourceBytes;
  const bytes = Buffer.byteLength(source);
  if (bytes > sizeLimit.value) findings.push({ artifact, field: 'source', reference: describeLimit(sizeLimit), message: `${bytes} bytes` });
  const timeoutLimit = CLOUD_LIMITS.gcp.workflowHttpTimeoutSeconds;
  const visit = (value: unknown, at: string) => {
    if (!value || typeof value !== 'object') return;
    const step = value as Step;
    if (typeof step.call === 'string' && step.call.startsWith('http.') && typeof (step.args as Step | undefined)?.timeout === 'number') {
      const timeout = (step.args as Step).timeout as number;
      if (timeout > timeoutLimit.value) findings.push({ artifact, field: `${at}/args/timeout`, reference: describeLimit(timeoutLimit), message: `${timeout} s` });
    }
    for (const [k, v] of Object.entries(step)) visit(v, `${at}/${k}`);
  };
  visit(parse(source), '');
  return findings;
}
