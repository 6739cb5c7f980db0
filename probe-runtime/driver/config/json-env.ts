/** An environment variable holding JSON, validated: one message naming the variable (and the path) when it is wrong. */
import type { z } from 'zod';
import { DriverConfigError, zodIssuesText } from '../errors';

export function jsonFromEnv<S extends z.ZodType>(env: NodeJS.ProcessEnv, name: string, schema: S): z.output<S> | undefined {
  const text = env[name];
  if (!text) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DriverConfigError(`${name}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DriverConfigError(`${name}: ${zodIssuesText(parsed.error)}`);
  return parsed.data;
}
