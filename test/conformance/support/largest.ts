/**
 * The largest parameters a catalog study accepts, per target.
 *
 * Each numeric parameter's largest value is its declared maximum (read from
 * the study's zod schema, so a new parameter or bound is picked up without
 * editing this file); list parameters keep their defaults, except lists of
 * choices (runtimes), which take every choice. With every parameter at its
 * maximum a study is usually refused by some platform limit, so the suite
 * also looks for the largest parameters a target accepts: the point
 * default + t·(maximum − default) with the largest t in [0, 1] that the
 * target's own refusal checks let through (bisection to 1/64; budgets lifted, since a
 * budget is the user's choice, not a platform limit).
 */
import type { z } from 'zod';
import type { CatalogStudy } from '../../../experiments/catalog/define-study';

type Params = Record<string, unknown>;

interface Bound {
  name: string;
  default: unknown;
  max: unknown;
}

function boundsOf(study: CatalogStudy): Bound[] {
  return Object.entries(study.parameters.shape).map(([name, field]) => {
    const def = (field as z.ZodType)._zod.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    const inner = (def.type === 'default' ? def.innerType! : field) as z.ZodType & { maxValue?: number | null; isInt?: boolean; element?: z.ZodType };
    const value = def.type === 'default' ? (typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue) : undefined;
    const innerType = (inner._zod.def as { type: string }).type;
    // An integer without a declared maximum reports MAX_SAFE_INTEGER: unbounded parameters (a seed) keep their default.
    if (innerType === 'number' && typeof inner.maxValue === 'number' && inner.maxValue < Number.MAX_SAFE_INTEGER) return { name, default: value, max: inner.maxValue };
    if (innerType === 'array') {
      const element = (inner._zod.def as unknown as { element: z.ZodType }).element;
      const entries = (element._zod.def as { entries?: Record<string, string> }).entries;
      if (entries) return { name, default: value, max: Object.values(entries) };
    }
    return { name, default: value, max: value };
  });
}

/** Every parameter at its declared maximum. */
export function maximumParameters(study: CatalogStudy): Params {
  return Object.fromEntries(boundsOf(study).map((b) => [b.name, b.max]));
}

/** default + t·(max − default) for numbers (integers rounded), the maximum for choice lists when t > 0. */
export function parametersAt(study: CatalogStudy, t: number): Params {
  const isInt = (name: string) => {
    const field = study.parameters.shape[name] as z.ZodType;
    const def = field._zod.def as { type: string; innerType?: z.ZodType };
    const inner = (def.type === 'default' ? def.innerType! : field) as z.ZodType & { isInt?: boolean };
    return inner.isInt === true;
  };
  return Object.fromEntries(
    boundsOf(study).map((b) => {
      if (typeof b.default === 'number' && typeof b.max === 'number') {
        const value = b.default + t * (b.max - b.default);
        return [b.name, isInt(b.name) ? Math.round(value) : Math.round(value * 1000) / 1000];
      }
      return [b.name, t > 0 ? b.max : b.default];
    }),
  );
}

export interface LargestAccepted {
  /** Parameters at the maximum, and whether/why the target refuses them. */
  maximum: { parameters: Params; refusal: string | null };
  /** The largest accepted point found (t = 1 when the maximum is accepted). */
  largest: { t: number; parameters: Params };
}

/**
 * `refusal(params)` returns null when the target accepts the study with these
 * parameters, else its one-line reason. Bisects 6 times (t within 1/64): each
 * probe plans and compiles the study, which takes seconds near the maxima.
 */
export function largestAccepted(study: CatalogStudy, refusal: (params: Params) => string | null, iterations = 6): LargestAccepted {
  const maximum = maximumParameters(study);
  const atMax = refusal(maximum);
  if (atMax === null) return { maximum: { parameters: maximum, refusal: null }, largest: { t: 1, parameters: maximum } };
  let lo = 0;
  let hi = 1;
  if (refusal(parametersAt(study, 0)) !== null) return { maximum: { parameters: maximum, refusal: atMax }, largest: { t: 0, parameters: parametersAt(study, 0) } };
  for (let i = 0; i < iterations; i++) {
    const mid = (lo + hi) / 2;
    if (refusal(parametersAt(study, mid)) === null) lo = mid;
    else hi = mid;
  }
  return { maximum: { parameters: maximum, refusal: atMax }, largest: { t: lo, parameters: parametersAt(study, lo) } };
}
