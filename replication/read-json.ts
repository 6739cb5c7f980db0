/**
 * Reads a JSON file of a run or a package within bounds: a regular file (no
 * FIFO, device or directory), at most `maxBytes`, valid JSON, valid against
 * its schema. Every failure is an InputFileError naming the file.
 */
import { lstatSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatProblem, InputFileError, problemsFromZod } from '../experiments/errors';

export const MAX_JSON_BYTES = 64 * 1024 * 1024;

export function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string, maxBytes = MAX_JSON_BYTES): z.output<S> {
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (!info) throw new InputFileError(file, `missing (expected the ${what})`);
  if (!info.isFile()) throw new InputFileError(file, `not a regular file (expected the ${what})`);
  if (info.size > maxBytes) throw new InputFileError(file, `${info.size} bytes, more than a ${what} may be (${maxBytes})`);
  return parseJsonBytes(file, readFileSync(file), schema, what);
}

export function parseJsonBytes<S extends z.ZodType>(file: string, bytes: Buffer, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputFileError(file, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InputFileError(file, `not a valid ${what}: ${problemsFromZod(parsed.error).slice(0, 5).map(formatProblem).join('; ')}`);
  return parsed.data;
}
