/**
 * Turns what a user names (a catalog study id or a definition file, plus
 * --set overrides) into a validated StudyDefinition.
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { CATALOG, type CatalogStudy } from './catalog';
import { problemsFromZod, ValidationError, type Problem } from './errors';
import {
  describeSet,
  listOfOneWhereMeant,
  type ParameterDeclarations,
  suggestParameter,
  UNSAFE_KEYS,
} from './definition-file/parameters';
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

/**
 * Parse `key=value` pairs. A key is a parameter name or a dotted path; keys that would reach an
 * object's prototype (`__proto__`, `constructor`, `prototype`, in any segment) are refused, as are
 * empty segments, instead of being silently ignored.
 */
export function parseSets(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push({ path: '--set', message: `expected key=value, got "${pair}"` });
      continue;
    }
    const key = pair.slice(0, eq);
    const unsafe = key.split('.').find((part) => (UNSAFE_KEYS as readonly string[]).includes(part));
    if (unsafe !== undefined) {
      problems.push({ path: key, message: `cannot be set: "${unsafe}" names an object's prototype machinery, not a parameter or a field` });
      continue;
    }
    if (key.split('.').some((part) => part === '')) {
      problems.push({ path: key, message: 'has an empty path segment' });
      continue;
    }
    out[key] = parseSetValue(pair.slice(eq + 1));
  }
  if (problems.length > 0) throw new ValidationError('--set', problems);
  return { ...out };
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
  for (const [key, value] of Object.entries(sets)) values[key] = listOfOneWhereMeant(shape[key]!, value);
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
    // parseSets refuses these already; checked again because this is where they would do harm.
    const unsafe = parts.find((part) => (UNSAFE_KEYS as readonly string[]).includes(part));
    if (unsafe !== undefined) throw new ValidationError('--set', [{ path: '--set', message: `${path}: "${unsafe}" cannot be set` }]);
    let node: Record<string, unknown> = copy;
    for (const part of parts.slice(0, -1)) {
      if (!Object.hasOwn(node, part) || typeof node[part] !== 'object' || node[part] === null) node[part] = {};
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
  /** A definition file's named parameters, when it declares any. */
  declarations?: ParameterDeclarations | null;
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

/**
 * A definition file, with --set values for its named parameters and dotted paths for the rest,
 * validated: for options that always name a file, whatever it is called. A problem an override
 * caused names the override.
 */
export function resolveDefinitionFile(file: string, sets: Record<string, unknown> = {}): ResolvedStudy {
  const loaded = loadDefinitionFile(file, sets);
  const pathSets = Object.fromEntries(Object.entries(sets).filter(([key]) => !loaded.consumedSets.includes(key)));
  let result = StudyDefinition.safeParse(applyPathSets(loaded.data, pathSets));
  if (!result.success) {
    // One value where the field is a list (`--set functions.memoryMb=128`) means a list of one.
    const listed = { ...pathSets };
    let wrapped = false;
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      if (Object.hasOwn(listed, key) && !Array.isArray(listed[key]) && /expected array/.test(issue.message)) {
        listed[key] = [listed[key]];
        wrapped = true;
      }
    }
    if (wrapped) result = StudyDefinition.safeParse(applyPathSets(loaded.data, listed));
  }
  if (!result.success) throw overrideAwareError(file, problemsFromZod(result.error), pathSets, loaded.declarations);
  const shadowed = CATALOG.find((s) => s.id === result.data.id);
  if (shadowed) {
    throw new ValidationError(file, [
      { path: 'id', message: `"${shadowed.id}" is the id of a catalog study; choose another id, so that results and reports of the two are never confused` },
    ]);
  }
  return { definition: result.data, catalog: null, file, declarations: loaded.declarations };
}

/** Problems caused by a --set name it; when every problem comes from overrides, the subject is the overrides, not the file. */
function overrideAwareError(file: string, problems: Problem[], pathSets: Record<string, unknown>, declarations: ParameterDeclarations | null): ValidationError {
  const causeOf = (problem: Problem): string | null => {
    const key = Object.keys(pathSets).find((k) => problem.path === k || problem.path.startsWith(`${k}.`) || problem.path.startsWith(`${k}[`));
    if (key !== undefined) return describeSet(key, pathSets[key]);
    // An unknown top-level key added by a --set (zod reports it on the parent object).
    const unknown = /^unknown keys? (.*)$/.exec(problem.message);
    const named = unknown ? Object.keys(pathSets).find((k) => unknown[1]!.includes(`"${k.split('.').pop()}"`)) : undefined;
    return named !== undefined ? describeSet(named, pathSets[named]) : null;
  };
  const attributed = problems.map((p) => {
    const cause = causeOf(p);
    if (cause === null) return { problem: p, cause };
    const near = declarations && !cause.slice(6).includes('.') ? suggestParameter(cause.slice(6).split('=')[0]!, declarations) : [];
    const hint = near.length > 0 ? `; did you mean the parameter ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
    return { problem: { ...p, message: `${p.message}${hint}` }, cause };
  });
  if (attributed.every((a) => a.cause !== null)) {
    const causes = [...new Set(attributed.map((a) => a.cause!))];
    return new ValidationError(`${causes.join(' ')} (for ${file})`, attributed.map((a) => a.problem));
  }
  return new ValidationError(
    file,
    attributed.map((a) => (a.cause ? { ...a.problem, message: `${a.problem.message} (from ${a.cause})` } : a.problem)),
  );
}
