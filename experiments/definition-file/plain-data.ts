/**
 * A definition is plain JSON data. What a .ts/.js file exports (or a JSON file
 * parses to) is walked iteratively, never recursively, before anything else
 * touches it: a definition nested thousands of levels deep would otherwise
 * overflow the stack of every recursive step after it (schema validation,
 * cloning, hashing), and a value that JSON cannot carry (a function, a class
 * instance, NaN, a cycle) would be dropped or mangled silently on its way to the
 * plan.
 */
import { formatPath } from '../errors';

/** Far deeper than any real definition (a few nested repeats); far shallower than the stack allows. */
export const MAX_DEFINITION_DEPTH = 64;

export interface PlainDataProblem {
  path: string;
  message: string;
}

/** The first problem that makes `value` unusable as a definition, or null. */
export function plainDataProblem(value: unknown, maxDepth = MAX_DEFINITION_DEPTH): PlainDataProblem | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  const ancestors = new Set<object>();
  // Iterative depth-first walk; `exit` markers pop an object from the ancestor set (cycle detection).
  const work: ({ value: unknown; path: (string | number)[] } | { exit: object })[] = stack;
  while (work.length > 0) {
    const item = work.pop()!;
    if ('exit' in item) {
      ancestors.delete(item.exit);
      continue;
    }
    const { value: v, path } = item;
    const where = () => shortPath(path);
    if (path.length > maxDepth) return { path: where(), message: `nested more than ${maxDepth} levels deep; a definition is at most ${maxDepth} levels deep` };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path: where(), message: `${v} is not a JSON number` };
      continue;
    }
    if (typeof v === 'undefined') return { path: where(), message: 'is undefined (JSON has no undefined: leave the key out)' };
    if (typeof v === 'function') return { path: where(), message: 'is a function; a definition is plain data (call it and use what it returns)' };
    if (typeof v !== 'object') return { path: where(), message: `is a ${typeof v}, which JSON cannot carry` };
    if (typeof (v as { then?: unknown }).then === 'function') return { path: where(), message: 'is a Promise; await it before putting it in the definition' };
    if (ancestors.has(v)) return { path: where(), message: 'refers back to an enclosing object (a cycle); a definition is a tree' };
    if (Array.isArray(v)) {
      ancestors.add(v);
      work.push({ exit: v });
      for (let i = v.length - 1; i >= 0; i--) work.push({ value: v[i], path: [...path, i] });
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'class';
      return { path: where(), message: `is a ${name} object; a definition holds only plain objects, arrays, strings, numbers and booleans` };
    }
    ancestors.add(v);
    work.push({ exit: v });
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      // An explicitly undefined property is what JSON.stringify drops: the same as leaving it out.
      if (child !== undefined) work.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

/** A path for a message: the whole path when short, else its start, an ellipsis and its length. */
export function shortPath(path: readonly (string | number)[], keep = 6): string {
  if (path.length === 0) return '(top level)';
  if (path.length <= keep) return formatPath(path);
  return `${formatPath(path.slice(0, keep))}… (${path.length} levels)`;
}
