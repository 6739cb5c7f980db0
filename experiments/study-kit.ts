/**
 * Helpers for study files written by users: `import { defineStudy, param } from 'curtain/study'`.
 *
 * The import resolves to this file wherever the study file lives (curtain's loader maps it,
 * experiments/definition-file/evaluate-module.ts; inside a project that installs curtain, the
 * package's `exports` map does the same for editors and tsc). A study with parameters:
 *
 *   export default defineStudy({
 *     parameters: { pingMinutes: param.integers([5, 10, 15], { min: 1, max: 120, description: 'ping intervals' }) },
 *     build: (p) => ({ id: 'keep-warm', ..., schedule: p.pingMinutes.map(...) }),
 *   });
 *
 * `npx curtain plan keep-warm.ts --provider aws --set pingMinutes=15` overrides a parameter as
 * for a catalog study (one value for a list parameter is a list of one).
 */
import type { ParameterDeclaration } from './definition-file/parameters';
import type { StudyDefinitionInput } from './schema';

export { z } from 'zod';
/** Every provider id Curtain deploys to (`providers: [...PROVIDERS]` for a study every target can run). */
export { PROVIDERS } from './schema';
export type { ParameterDeclaration, ParameterDeclarations } from './definition-file/parameters';
export type { Arrival } from './arrivals/arrival-schema';
export type { ScheduleItemInput, StudyDefinitionInput } from './schema';

/** The TypeScript type of a declared parameter's value. */
export type ParameterValue<D extends ParameterDeclaration> = D['type'] extends 'number' | 'integer'
  ? number
  : D['type'] extends 'string'
    ? string
    : D['type'] extends 'boolean'
      ? boolean
      : D['type'] extends 'number[]' | 'integer[]'
        ? number[]
        : string[];

export type ParameterValuesOf<P extends Record<string, ParameterDeclaration>> = { [K in keyof P]: ParameterValue<P[K]> };

export interface UserStudy<P extends Record<string, ParameterDeclaration>> {
  /** Named parameters with defaults; `--set name=value` overrides them. */
  parameters: P;
  /** Builds the definition (plain data) from the parameters' values; may be async. */
  build(params: ParameterValuesOf<P>): StudyDefinitionInput | Promise<StudyDefinitionInput>;
}

/** A study with named parameters. The loader reads `parameters`, applies --set, then calls `build`. */
export function defineStudy<const P extends Record<string, ParameterDeclaration>>(study: UserStudy<P>): UserStudy<P> & { __curtainUserStudy: 1 } {
  return { ...study, __curtainUserStudy: 1 };
}

interface Bounds {
  min?: number;
  max?: number;
  description?: string;
}

/** Declarations of parameters, by type. */
export const param = {
  number: (value: number, o: Bounds = {}) => ({ type: 'number' as const, default: value, ...o }),
  integer: (value: number, o: Bounds = {}) => ({ type: 'integer' as const, default: value, ...o }),
  numbers: (value: number[], o: Bounds = {}) => ({ type: 'number[]' as const, default: value, ...o }),
  integers: (value: number[], o: Bounds = {}) => ({ type: 'integer[]' as const, default: value, ...o }),
  boolean: (value: boolean, o: { description?: string } = {}) => ({ type: 'boolean' as const, default: value, ...o }),
  string: (value: string, o: { choices?: string[]; description?: string } = {}) => ({ type: 'string' as const, default: value, ...o }),
  strings: (value: string[], o: { choices?: string[]; description?: string } = {}) => ({ type: 'string[]' as const, default: value, ...o }),
};
