/**
 * Errors the driver reports to its orchestrator. Both carry one clear message;
 * their `name` is what an orchestrator matches on (Step Functions `ErrorEquals`,
 * Workflows `e.tags`, the Durable orchestrator's catch): a refusal must never be
 * retried, a sink or network failure may be.
 */
import type { z } from 'zod';
import { formatProblem, problemsFromZod } from '../../experiments/errors';

/**
 * The event is malformed or asks for something the deployed plan does not
 * contain (another plan hash, another study, a step that differs from the
 * plan's, a shard out of range). This is how the plan's invocation cap is
 * enforced in the cloud: see docs/architecture.md, "Driver".
 */
export class DriverRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverRefusedError';
  }
}

/** The driver's own deployment is broken: plan.json / deployment.json missing or invalid, an env variable unset. */
export class DriverConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverConfigError';
  }
}

/** zod issues as a single line: `step.targets[0]: expected string; shard: too small`. */
export function zodIssuesText(error: z.ZodError): string {
  return problemsFromZod(error).map(formatProblem).join('; ');
}

/** Cut long texts (error bodies, raw probe output) so a record stays small; says how much was cut. */
export function truncateText(text: string, max = 500): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * An error's message, with its system code when the message lacks it. Duck-typed rather than
 * `instanceof Error`: errors from another realm (node core under jest's vm, a worker) are still errors.
 */
export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { message, name } = error as Error;
    const code = (error as NodeJS.ErrnoException).code;
    return code && !message.includes(code) ? `${code}: ${message}` : message || name;
  }
  return String(error);
}
