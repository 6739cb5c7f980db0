/**
 * A very small validator for the probe's request: the probe bundle must stay
 * under 30 KB minified and zod (even zod/mini) takes most of that. The checks
 * mirror the zod semantics the contract uses (strict objects, finite numbers,
 * safe integers, defaults, optional keys, discriminated unions, WHATWG URLs);
 * test/probe-runtime/probe/request-validation.test.ts proves they accept and
 * reject the same requests as the zod ProbeRequest schema.
 *
 * A check returns the (possibly defaulted) value or throws InvalidInput naming
 * the path of the first problem.
 */

export class InvalidInput extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'InvalidInput';
  }
}

export type Check<T = unknown> = (value: unknown, path: string) => T;

function fail(path: string, problem: string): never {
  throw new InvalidInput(path, problem);
}

function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

export const number: Check<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(path, `expected number, received ${received(value)}`);

export function int(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return (value, path) => {
    const n = number(value, path);
    if (!Number.isInteger(n)) fail(path, `expected int, received ${n}`);
    if (n < min) fail(path, `too small: expected a number >= ${min}`);
    if (n > max) fail(path, `too big: expected a number <= ${max}`);
    return n;
  };
}

export function string(minLength = 0): Check<string> {
  return (value, path) => {
    if (typeof value !== 'string') fail(path, `expected string, received ${received(value)}`);
    if (value.length < minLength) fail(path, `too small: expected a string of at least ${minLength} character(s)`);
    return value;
  };
}

export function literal<T extends string | number>(expected: T): Check<T> {
  return (value, path) => (value === expected ? expected : fail(path, `expected ${JSON.stringify(expected)}`));
}

export function oneOf<T extends string>(options: readonly T[]): Check<T> {
  return (value, path) =>
    options.includes(value as T) ? (value as T) : fail(path, `expected one of ${options.map((o) => `"${o}"`).join('|')}`);
}

/** A URL the WHATWG parser accepts; like zod, the value is trimmed and loses tabs and newlines. */
export const url: Check<string> = (value, path) => {
  const trimmed = string()(value, path).trim();
  return URL.canParse(trimmed) ? trimmed.replace(/[\t\n\r]/g, '') : fail(path, 'invalid URL');
};

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

export function withDefault<T>(check: Check<T>, fallback: T): Check<T> {
  return (value, path) => (value === undefined ? fallback : check(value, path));
}

/** Absent (undefined) stays absent from the output. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A strict object: every key of the shape checked, unknown keys refused. */
export function object<T>(shape: Record<string, Check>): Check<T> {
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected object, received ${received(value)}`);
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const result = check(value[key], child(path, key));
      if (result !== undefined) out[key] = result;
    }
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(shape, key));
    if (unknown.length > 0) fail(path, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
    return out as T;
  };
}

/** A union discriminated by one key whose value selects the object check. */
export function discriminated<T>(key: string, options: Record<string, Check>): Check<T> {
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected object, received ${received(value)}`);
    const tag = value[key];
    const check = typeof tag === 'string' && Object.hasOwn(options, tag) ? options[tag] : undefined;
    if (!check) fail(child(path, key), `expected one of ${Object.keys(options).map((o) => `"${o}"`).join('|')}`);
    return check(value, path) as T;
  };
}
