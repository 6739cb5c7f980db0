/**
 * Function errors that are wiring faults of the stack, not measurements: the
 * Lambda runtime could not load the handler the template names (a handler
 * path typo, a module missing from the asset, a syntax error in it). On AWS
 * every invocation of such a function fails the same way while the run goes
 * on recording errors; the twin fails the run and names the function and the
 * fault. Lambda's runtime error types:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html (read 2026-12-06).
 */
import type { FunctionOutcome, LiveFunction } from './lambda-api';

const WIRING_ERRORS = /Runtime\.(ImportModuleError|HandlerNotFound|MalformedHandlerName|UserCodeSyntaxError)\b[^\n"]*/;

export class DeploymentFaults {
  private readonly byFunction = new Map<string, string>();

  /** Notes the first wiring fault of each function from an invocation's outcome. */
  note(fn: LiveFunction, outcome: FunctionOutcome): void {
    if (outcome.kind !== 'function-error' || this.byFunction.has(fn.spec.name)) return;
    const fault = outcome.payload.match(WIRING_ERRORS)?.[0];
    if (fault) this.byFunction.set(fn.spec.name, `function ${fn.spec.name} (${fn.spec.logicalId}, handler "${fn.spec.handler}"): ${fault.trim()}`);
  }

  list(): string[] {
    return [...this.byFunction.values()];
  }
}
