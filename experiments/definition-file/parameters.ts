/**
 * Named parameters of a user-written study: declared in the file with a type, a
 * default and optional bounds, referenced in the definition, and overridden with
 * `--set name=value` exactly as catalog studies' parameters are.
 *
 *   JSON        "$parameters": { "pingMinutes": { "type": "integer[]", "default": [5, 10], "min": 1 } }
 *               and { "$param": "pingMinutes" } wherever the value goes
 *   TS / JS     export default defineStudy({ parameters: { pingMinutes: param.integers([5, 10], { min: 1 }) },
 *                                         build: (p) => ({ ... p.pingMinutes ... }) })   (curtain/study)
 *
 * Declarations are plain data in both, so a .ts file's are read back from the
 * process that loaded it, and one validator (zod, built from the declarations)
 * checks defaults and overrides, naming the `--set` that caused a problem.
 */
import { z } from 'zod';
import { formatPath, formatProblem, problemsFromZod, type Problem, ValidationError } from '../errors';
import { closest } from '../suggest';

export const PARAMETER_TYPES = ['number', 'integer', 'string', 'boolean', 'number[]', 'integer[]', 'string[]'] as const;

/** Keys that would reach an object's prototype instead of a property: refused in names and --set paths. */
export const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const parameterName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a parameter name is a letter then letters, digits or _ (no dots: dotted --set keys are paths)')
  .refine((name) => !(UNSAFE_KEYS as readonly string[]).includes(name), { message: 'this name is reserved' });

const scalar = z.union([z.number(), z.string(), z.boolean()]);

export const ParameterDeclaration = z.strictObject({
  type: z.enum(PARAMETER_TYPES),
  default: z.union([scalar, z.array(z.number()), z.array(z.string())]),
  /** Bounds of a number (or of each item of a list of numbers). */
  min: z.number().optional(),
  max: z.number().optional(),
  /** The only values allowed (of the value, or of each item of a list). */
  choices: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  /** Printed by `curtain validate` and `curtain show`. */
  description: z.string().optional(),
});
export type ParameterDeclaration = z.output<typeof ParameterDeclaration>;

export const ParameterDeclarations = z.record(parameterName, ParameterDeclaration);
export type ParameterDeclarations = z.output<typeof ParameterDeclarations>;

export type ParameterValues = Record<string, number | string | boolean | number[] | string[]>;

/** The zod schema of one declared parameter's value. */
export function parameterSchema(d: ParameterDeclaration): z.ZodType {
  const item = (): z.ZodType => {
    const base = d.type.startsWith('string') ? z.string() : d.type === 'boolean' ? z.boolean() : d.type.startsWith('integer') ? z.number().int() : z.number();
    let schema: z.ZodType = base;
    if (base instanceof z.ZodNumber) {
      let n = base;
      if (d.min !== undefined) n = n.min(d.min);
      if (d.max !== undefined) n = n.max(d.max);
      schema = n;
    }
    if (d.choices) {
      const choices = d.choices;
      schema = schema.refine((v) => choices.includes(v as string | number), { message: `expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}` });
    }
    return schema;
  };
  return d.type.endsWith('[]') ? z.array(item()).min(1) : item();
}

/** Checks the declarations themselves: valid shape, and each default satisfies its own type and bounds. */
export function checkDeclarations(raw: unknown, subject: string, where: string): ParameterDeclarations {
  const parsed = ParameterDeclarations.safeParse(raw);
  if (!parsed.success) throw new ValidationError(subject, problemsFromZod(parsed.error, [where]));
  const problems: Problem[] = [];
  for (const [name, d] of Object.entries(parsed.data)) {
    const ok = parameterSchema(d).safeParse(d.default);
    if (!ok.success) problems.push(...problemsFromZod(ok.error, [where, name, 'default']));
  }
  if (problems.length > 0) throw new ValidationError(subject, problems);
  return parsed.data;
}

/**
 * A single value for a list parameter (`--set memoryMb=128`) means a list of one; anything else is
 * kept as given for the schema to judge.
 */
export function listOfOneWhereMeant(schema: z.ZodType, value: unknown): unknown {
  return !Array.isArray(value) && !schema.safeParse(value).success && schema.safeParse([value]).success ? [value] : value;
}

/**
 * The parameters' values: defaults, overridden by the --set values given for them. An invalid
 * override is reported as `--set name=value: <problem>`.
 */
export function resolveParameterValues(declarations: ParameterDeclarations, sets: Record<string, unknown>, subject: string): ParameterValues {
  const values: ParameterValues = {};
  const problems: Problem[] = [];
  for (const [name, d] of Object.entries(declarations)) {
    if (!(name in sets)) {
      values[name] = d.default;
      continue;
    }
    const schema = parameterSchema(d);
    const result = schema.safeParse(listOfOneWhereMeant(schema, sets[name]));
    if (result.success) values[name] = result.data as ParameterValues[string];
    else for (const p of problemsFromZod(result.error)) problems.push({ path: '', message: `${describeSet(name, sets[name])}: ${formatProblem(p)}` });
  }
  if (problems.length > 0) throw new ValidationError(`parameters of ${subject}`, problems);
  return values;
}

/** A --set key that names no declared parameter and no dotted path: the closest declared names. */
export function suggestParameter(key: string, declarations: ParameterDeclarations): string[] {
  return closest(key, Object.keys(declarations));
}

/** Replaces every `{ "$param": name }` in a JSON definition by the parameter's value (iteratively: the data may be deep). */
export function substituteParameters(data: unknown, values: ParameterValues, subject: string): unknown {
  const problems: Problem[] = [];
  const isReference = (v: unknown): v is { $param: unknown } =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$param' in v;
  const resolve = (v: { $param: unknown }, path: (string | number)[]): unknown => {
    const name = v.$param;
    if (typeof name === 'string' && Object.hasOwn(values, name)) return structuredClone(values[name]);
    problems.push({ path: formatPath(path), message: `{"$param": ${JSON.stringify(name)}} names no declared parameter (declared: ${Object.keys(values).join(', ') || 'none'})` });
    return null;
  };
  if (isReference(data)) return resolve(data, []);
  const work: { node: Record<string, unknown> | unknown[]; path: (string | number)[] }[] = [];
  if (data !== null && typeof data === 'object') work.push({ node: data as Record<string, unknown>, path: [] });
  while (work.length > 0) {
    const { node, path } = work.pop()!;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      const child = (node as Record<string | number, unknown>)[key];
      if (isReference(child)) (node as Record<string | number, unknown>)[key] = resolve(child, [...path, key]);
      else if (child !== null && typeof child === 'object') work.push({ node: child as Record<string, unknown>, path: [...path, key] });
    }
  }
  if (problems.length > 0) throw new ValidationError(subject, problems);
  return data;
}


/** `--set name=value` as the user typed it (lists as comma lists). */
export function describeSet(key: string, value: unknown): string {
  const text = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',') : typeof value === 'string' ? value : JSON.stringify(value);
  return `--set ${key}=${text}`;
}
