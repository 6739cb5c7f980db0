/**
 * Option parsing for commands: node's util.parseArgs for the syntax, then zod
 * for the values, so every CLI option is validated at the boundary and an error
 * names the option it concerns.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { problemsFromZod, ValidationError } from '../experiments/errors';
import { closest } from '../experiments/suggest';
import { CliError } from './cli-error';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(command: string, args: string[], options: OptionSpec, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const near = closest(unknown[1]!.replace(/^-+/, ''), Object.keys(options));
      const hint = near.length > 0 ? `; did you mean --${near[0]}?` : '';
      throw new CliError(`curtain ${command}: unknown option ${unknown[1]}${hint}\n\n${usage}`);
    }
    throw new CliError(`curtain ${command}: ${message.replace(/\. To specify a positional.*$/s, '')}\n\n${usage}`);
  }
}

/** Validate parsed option values with a zod schema; problems are named `--option`. */
export function validateOptions<S extends z.ZodType>(command: string, schema: S, values: unknown): z.output<S> {
  const result = schema.safeParse(values);
  if (!result.success) {
    const problems = problemsFromZod(result.error).map((p) => ({ ...p, path: p.path ? `--${p.path.split(/[.[]/)[0]}` : '' }));
    throw new ValidationError(`options of curtain ${command}`, problems);
  }
  return result.data;
}

export function requirePositional(command: string, positionals: string[], name: string, usage: string): string {
  const value = positionals[0];
  if (!value) throw new CliError(`curtain ${command}: missing <${name}>\n\n${usage}`);
  if (positionals.length > 1) throw new CliError(`curtain ${command}: unexpected argument "${positionals[1]}"\n\n${usage}`);
  return value;
}
