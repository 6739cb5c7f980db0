/**
 * A fast accept-only predicate derived from a zod schema, for the loader's hot
 * path. zod's parse builds a full copy of every record and its issue lists;
 * for a million result lines that copying costs as much as JSON.parse itself.
 * The predicate walks the same schema definition (no second description of the
 * contract) and only answers "certainly valid": it is sound, never accepting a
 * value zod rejects, and it refuses (throws at compile time) any schema whose
 * parse could change the value (defaults, transforms, stripped keys), so an
 * accepted value is exactly what zod would have returned. Everything it does
 * not accept goes through zod, which decides and names the problem.
 * test/analysis/schema-predicate.test.ts holds it to zod on mutated records.
 */
import type { z } from 'zod';

export type Predicate = (value: unknown) => boolean;

export class UnsupportedSchemaError extends Error {}

interface Def extends Partial<CheckDef> {
  type: string;
  coerce?: boolean;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, ZodLike>;
  catchall?: ZodLike;
  innerType?: ZodLike;
  element?: ZodLike;
  keyType?: ZodLike;
  valueType?: ZodLike;
  options?: ZodLike[];
  values?: unknown[];
  entries?: Record<string, unknown>;
}
interface CheckDef {
  check?: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
}
interface ZodLike {
  _zod: { def: Def };
}

/**
 * Compiles the schema into JavaScript source (one small function per schema node,
 * which V8 inlines), as zod's own JIT does; constants (patterns, allowed values)
 * are passed in, never spliced into the source. Throws UnsupportedSchemaError for
 * a schema it cannot mirror exactly; returns an always-false predicate (zod for
 * every line) where code generation is not allowed.
 */
export function compilePredicate(schema: z.ZodType): Predicate {
  const constants: unknown[] = [];
  const functions: string[] = [];
  const constant = (value: unknown) => `C[${constants.push(value) - 1}]`;
  const root = emit(schema as unknown as ZodLike, '', { constants, functions, constant });
  const source = `${functions.join('\n')}\nreturn ${root};`;
  try {
    return new Function('C', source)(constants) as Predicate;
  } catch {
    return () => false;
  }
}

interface Emitter {
  constants: unknown[];
  functions: string[];
  constant(value: unknown): string;
}

/** Emits `function fN(v) {...}` for the node and returns its name. */
function emit(schema: ZodLike, path: string, out: Emitter): string {
  const def = schema._zod.def;
  const unsupported = (what: string): never => {
    throw new UnsupportedSchemaError(`${path || '(root)'}: ${what} is not supported by the fast predicate`);
  };
  // A coercing schema changes the value it returns: the predicate cannot stand in for it.
  if (def.coerce) unsupported('coercion');
  const name = `f${out.functions.length}`;
  out.functions.push(''); // reserve the slot so nested nodes get later names
  let body: string;
  switch (def.type) {
    case 'string':
      body = `if (typeof v !== 'string') return false;${checks(def, path, out, unsupported)} return true;`;
      break;
    case 'number':
      body = `if (typeof v !== 'number' || !Number.isFinite(v)) return false;${checks(def, path, out, unsupported)} return true;`;
      break;
    case 'boolean':
      body = `return typeof v === 'boolean';`;
      break;
    case 'null':
      body = `return v === null;`;
      break;
    case 'literal': {
      const values = def.values!;
      if (values.some((x) => x !== null && typeof x === 'object')) unsupported('an object literal');
      body = `return ${out.constant(values)}.includes(v);`;
      break;
    }
    case 'enum':
      body = `return (typeof v === 'string' || typeof v === 'number') && ${out.constant(new Set(Object.values(def.entries!)))}.has(v);`;
      break;
    case 'nullable':
      body = `return v === null || ${emit(def.innerType!, path, out)}(v);`;
      break;
    case 'optional':
      body = `return v === undefined || ${emit(def.innerType!, path, out)}(v);`;
      break;
    case 'union':
      body = `return ${def.options!.map((o, i) => `${emit(o, `${path}|${i}`, out)}(v)`).join(' || ')};`;
      break;
    case 'array': {
      const element = emit(def.element!, `${path}[]`, out);
      body = `if (!Array.isArray(v)) return false;${checks(def, path, out, unsupported)} for (let i = 0; i < v.length; i++) if (!${element}(v[i])) return false; return true;`;
      break;
    }
    case 'record': {
      if (def.keyType!._zod.def.type !== 'string' || (def.keyType!._zod.def.checks ?? []).length > 0) unsupported('a record key other than a plain string');
      const value = emit(def.valueType!, `${path}{}`, out);
      body = `if (typeof v !== 'object' || v === null || Array.isArray(v)) return false; for (const k in v) if (!${value}(v[k])) return false; return true;`;
      break;
    }
    case 'object': {
      // Only strict objects: a stripping object would return a value without the unknown keys.
      if (def.catchall?._zod.def.type !== 'never') unsupported('a non-strict object');
      if ((def.checks ?? []).length > 0) unsupported('object refinements');
      const keys = Object.keys(def.shape!);
      const fields = keys.map((k) => {
        const field = def.shape![k]!;
        const check = emit(field, path ? `${path}.${k}` : k, out);
        const optional = field._zod.def.type === 'optional';
        return `x = v[${JSON.stringify(k)}]; if (${optional ? `x !== undefined && ` : `x === undefined || `}!${check}(x)) return false;`;
      });
      const cases = keys.map((k) => `case ${JSON.stringify(k)}:`).join(' ');
      body = `if (typeof v !== 'object' || v === null || Array.isArray(v)) return false; for (const k in v) { switch (k) { ${cases} break; default: return false; } } let x; ${fields.join(' ')} return true;`;
      break;
    }
    default:
      return unsupported(`type "${def.type}"`);
  }
  out.functions[Number(name.slice(1))] = `function ${name}(v) { ${body} }`;
  return name;
}

/** The node's checks: its `checks` list, and the node itself when it is a check (z.int(), z.email(), ...). */
function checks(def: Def, path: string, out: Emitter, unsupported: (what: string) => never): string {
  const all: CheckDef[] = [...(def.check ? [def] : []), ...(def.checks ?? []).map((c) => c._zod.def)];
  return all
    .map((d) => {
      switch (d.check) {
        case 'min_length':
          return ` if (v.length < ${Number(d.minimum)}) return false;`;
        case 'max_length':
          return ` if (v.length > ${Number(d.maximum)}) return false;`;
        case 'string_format':
          if (d.format !== 'regex' || !d.pattern || d.pattern.global || d.pattern.sticky) return unsupported(`string format "${d.format}"`);
          return ` if (!${out.constant(d.pattern)}.test(v)) return false;`;
        case 'number_format':
          if (d.format !== 'safeint') return unsupported(`number format "${d.format}"`);
          return ` if (!Number.isSafeInteger(v)) return false;`;
        case 'greater_than':
          return ` if (!(v ${d.inclusive ? '>=' : '>'} ${Number(d.value)})) return false;`;
        case 'less_than':
          return ` if (!(v ${d.inclusive ? '<=' : '<'} ${Number(d.value)})) return false;`;
        default:
          return unsupported(`check "${d.check}" at ${path}`);
      }
    })
    .join('');
}
