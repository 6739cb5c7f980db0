/**
 * Turns what a user names (a catalog study id or a definition file, plus
 * --set overrides) into a validated StudyDefinition.
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { CATALOG, type CatalogStudy } from './catalog';
import { problemsFromZod, ValidationError, type Problem } from './errors';
import { loadDefinitionFile } from './load-definition';
import { StudyDefinition } from './schema';
import { closest } from './suggest';

export class UnknownStudyError extends Error {
  constructor(
    readonly study: string,
    readonly suggestions: string[],
  ) {
    super(
      `unknown study "${study}"` +
        (suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '') +
        ` (see \`curtain list\`)`,
    );
    this.name = 'UnknownStudyError';
  }
}

export function catalogStudy(id: string): CatalogStudy {
  const found = CATALOG.find((s) => s.id === id);
  if (!found) throw new UnknownStudyError(id, closest(id, CATALOG.map((s) => s.id)));
  return found;
}

/** A --set value: JSON where it parses (numbers, booleans, arrays), a comma list, else a string. */
export function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    if (raw.includes(',')) return raw.split(',').map((part) => parseSetValue(part.trim()));
    return raw;
  }
}

/**
 * The inverse of parseSetValue: the text that parses back to `value` exactly
 * (a plain `128,2048` where it does, JSON otherwise, e.g. `[128]` for a list
 * of one or `"5"` for a string that looks like a number).
 */
export function formatSetValue(value: unknown): string {
  const plain = Array.isArray(value) ? value.map(String).join(',') : String(value);
  return isDeepStrictEqual(parseSetValue(plain), value) ? plain : JSON.stringify(value);
}

/** `key=value` pairs that parseSets turns back into `sets`, sorted by key. */
export function formatSets(sets: Record<string, unknown>): string[] {
  return Object.keys(sets)
    .sort()
    .map((key) => `${key}=${formatSetValue(sets[key])}`);
}

/** Parse `key=value` pairs. */
export function parseSets(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push({ path: '--set', message: `expected key=value, got "${pair}"` });
      continue;
    }
    out[pair.slice(0, eq)] = parseSetValue(pair.slice(eq + 1));
  }
  if (problems.length > 0) throw new ValidationError('--set', problems);
  return out;
}

/** Build a catalog study with parameter overrides, validated against its parameter schema. */
export function buildCatalogStudy(id: string, sets: Record<string, unknown> = {}): StudyDefinition {
  const study = catalogStudy(id);
  const known = Object.keys(study.parameters.shape);
  const problems: Problem[] = [];
  for (const key of Object.keys(sets)) {
    if (!known.includes(key)) {
      const near = closest(key, known);
      problems.push({
        path: key,
        message: `not a parameter of ${id}${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''} (parameters: ${known.join(', ')})`,
      });
    }
  }
  if (problems.length > 0) throw new ValidationError(`--set for ${id}`, problems);
  // A single value for a list parameter (`--set memoryMb=128`) means a list of one.
  const shape = study.parameters.shape as Record<string, z.ZodType>;
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sets)) {
    const asList = [value];
    values[key] = !Array.isArray(value) && !shape[key]!.safeParse(value).success && shape[key]!.safeParse(asList).success ? asList : value;
  }
  const parsed = study.parameters.safeParse(values);
  if (!parsed.success) throw new ValidationError(`--set for ${id}`, problemsFromZod(parsed.error));
  const result = StudyDefinition.safeParse(study.build(parsed.data));
  if (!result.success) throw new ValidationError(`study ${id} built from these parameters`, problemsFromZod(result.error));
  return result.data;
}

/** Apply dotted-path overrides (`budget.maxUsd=5`, `functions.memoryMb=128,256`) to a user definition. */
export function applyPathSets(definition: unknown, sets: Record<string, unknown>): unknown {
  const copy = structuredClone(definition) as Record<string, unknown>;
  for (const [path, value] of Object.entries(sets)) {
    const parts = path.split('.');
    let node: Record<string, unknown> = copy;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return copy;
}

export interface ResolvedStudy {
  definition: StudyDefinition;
  /** The catalog entry, when the reference named one. */
  catalog: CatalogStudy | null;
  /** The definition file, when the reference was a path. */
  file: string | null;
}

/** Whether a study reference names a definition file rather than a catalog study. */
export function isDefinitionPath(ref: string): boolean {
  return /\.(json|[cm]?[jt]s)$/i.test(ref) || ref.includes('/') || ref.includes('\\');
}

/**
 * A catalog study id (with --set parameters) or a definition file (with --set
 * dotted paths), validated.
 */
export function resolveStudy(ref: string, sets: Record<string, unknown> = {}): ResolvedStudy {
  if (!isDefinitionPath(ref)) return { definition: buildCatalogStudy(ref, sets), catalog: catalogStudy(ref), file: null };
  return resolveDefinitionFile(ref, sets);
}

/** A definition file (with --set dotted paths), validated: for options that always name a file, whatever it is called. */
export function resolveDefinitionFile(file: string, sets: Record<string, unknown> = {}): ResolvedStudy {
  const raw = applyPathSets(loadDefinitionFile(file), sets);
  const result = StudyDefinition.safeParse(raw);
  if (!result.success) throw new ValidationError(file, problemsFromZod(result.error));
  return { definition: result.data, catalog: null, file };
}
