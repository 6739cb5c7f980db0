/**
 * Errors the study layer reports to users. They carry a list of problems, each
 * naming the path it concerns, and are printed without a stack trace.
 */
import type { z } from 'zod';

export interface Problem {
  /** Dotted path with [index] for arrays, e.g. `functions.memoryMb[2]`; empty for the whole input. */
  path: string;
  message: string;
}

/** Input that does not satisfy a schema (a definition, CLI options, a --set value). */
export class ValidationError extends Error {
  constructor(
    readonly subject: string,
    readonly problems: Problem[],
  ) {
    // One problem reads best on one line; several are listed one per line under the subject.
    super(
      problems.length === 1
        ? `invalid ${subject}: ${formatProblem(problems[0]!)}`
        : `invalid ${subject}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    );
    this.name = 'ValidationError';
  }
}

/** A valid study that this provider cannot run, with the reasons. */
export class PlanRefusedError extends Error {
  constructor(
    readonly study: string,
    readonly provider: string,
    readonly reasons: string[],
  ) {
    super(`${provider} cannot run study ${study}:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
    this.name = 'PlanRefusedError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** zod issues as problems; union failures are flattened to the branch that got furthest. */
export function problemsFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) collect(issue as ZodIssueLike, [...prefix], problems);
  return problems;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
  keys?: string[];
}

function collect(issue: ZodIssueLike, base: PropertyKey[], out: Problem[]): void {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    // Report the branch with the deepest issue: it is the one the author meant.
    const depth = (branch: ZodIssueLike[]) => Math.max(...branch.map((i) => i.path.length));
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
    if (best.length > 0 && depth(best) > 0) {
      for (const sub of best) collect(sub, path, out);
      return;
    }
  }
  let message = issue.message.replace(/^Invalid input: /, '');
  // A missing field reads better as "required" than as "received undefined".
  if (/, received undefined$/.test(message)) message = `required (${message.replace(/, received undefined$/, '')})`;
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  out.push({ path: formatPath(path), message });
}

/** Parse with a schema or throw a ValidationError naming every problem's path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(subject, problemsFromZod(result.error));
  return result.data;
}

/** A definition or results file that cannot be read or parsed at all: reported on one line. */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'InputFileError';
  }
}
