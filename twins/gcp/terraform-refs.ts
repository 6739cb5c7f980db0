/**
 * Terraform interpolation as the Google twin "applies" a synthesized stack:
 * `${var.x}`, `${<type>.<name>.<attribute>[0].<attribute>}` and
 * `${jsonencode({"k" = <reference>, ...})}` (what cdktf writes for the stacks'
 * tokens), inside or as the whole of a string; `$${` and `%%{` are Terraform's
 * escapes of a literal `${` and `%{` (the Workflows source is written with them).
 * Any other expression is refused with the expression named: the twin does not
 * guess what Terraform would compute.
 */
import { GcpArtifactError } from './gcp-artifact-error';

/** The value of a reference `<type>.<name>` + attribute path, or undefined when the twin does not know it. */
export type ReferenceValue = (type: string, name: string, path: readonly (string | number)[]) => string | undefined;

export interface TerraformContext {
  variables: Readonly<Record<string, string>>;
  reference: ReferenceValue;
  /** What is being resolved, for messages (e.g. `google_cloudfunctions2_function.driver`). */
  where: string;
}

const REFERENCE = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)((?:\.[a-z_]+|\[\d+\])*)$/;

function referencePath(tail: string): (string | number)[] {
  return [...tail.matchAll(/\.([a-z_]+)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
}

function evaluate(expression: string, ctx: TerraformContext): string {
  const text = expression.trim();
  const variable = /^var\.([A-Za-z0-9_]+)$/.exec(text);
  if (variable) {
    const value = ctx.variables[variable[1]!];
    if (value === undefined) throw new GcpArtifactError(`${ctx.where}: variable ${variable[1]} has no value in the twin`);
    return value;
  }
  const encoded = /^jsonencode\(\{([\s\S]*)\}\)$/.exec(text);
  if (encoded) {
    const entries = encoded[1]!.trim() === '' ? [] : splitTopLevel(encoded[1]!);
    const object: Record<string, string> = {};
    for (const entry of entries) {
      const m = /^\s*"((?:[^"\\]|\\.)*)"\s*=\s*([\s\S]+?)\s*$/.exec(entry);
      if (!m) throw new GcpArtifactError(`${ctx.where}: jsonencode entry ${entry.trim().slice(0, 80)} is not "key" = <reference>`);
      object[JSON.parse(`"${m[1]}"`) as string] = evaluate(m[2]!, ctx);
    }
    return JSON.stringify(object);
  }
  const ref = REFERENCE.exec(text);
  if (ref && ref[1] !== 'var') {
    const path = referencePath(ref[3] ?? '');
    const value = ctx.reference(ref[1]!, ref[2]!, path);
    if (value === undefined) throw new GcpArtifactError(`${ctx.where}: the twin cannot compute ${text}`);
    return value;
  }
  throw new GcpArtifactError(`${ctx.where}: the Terraform expression \${${text.slice(0, 120)}} is not one the twin evaluates`);
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== '') parts.push(text.slice(start));
  return parts;
}

/** A string with its interpolations evaluated and its escapes undone. */
export function resolveString(text: string, ctx: TerraformContext): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += `${text[i]}{`;
      i += 3;
      continue;
    }
    if (text.startsWith('%{', i)) throw new GcpArtifactError(`${ctx.where}: Terraform template directives (%{...}) are not evaluated by the twin`);
    if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new GcpArtifactError(`${ctx.where}: unterminated \${ in ${text.slice(i, i + 60)}`);
      out += evaluate(text.slice(i + 2, end), ctx);
      i = end + 1;
      continue;
    }
    out += text[i];
    i += 1;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Every string inside a JSON value resolved (keys too). */
export function resolveValue(value: unknown, ctx: TerraformContext): unknown {
  if (typeof value === 'string') return resolveString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [resolveString(k, ctx), resolveValue(v, ctx)]));
  }
  return value;
}
