/**
 * Trace arrivals that name a file (`arrival: { kind: "trace", file, function }`)
 * get the file's per-minute counts written into the definition when it is
 * loaded, with the file's name, sha256 and row as `source`: the definition, and
 * so the plan and its hash, then carry the exact load that was replayed.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseAzureFunctionsTrace, selectTraceRow, TraceFormatError } from '../arrivals/azure-functions-trace';
import { formatPath, type Problem, ValidationError } from '../errors';
import { readUtf8File } from './read-text';

type Json = Record<string, unknown>;

/** Replaces trace file references in `data.schedule` (in place); `definitionFile` is what paths are relative to. */
export function readTraceFiles(data: unknown, definitionFile: string, subject: string): void {
  const schedule = (data as Json | null)?.schedule;
  if (!Array.isArray(schedule)) return;
  const problems: Problem[] = [];
  const work: { items: unknown[]; path: (string | number)[] }[] = [{ items: schedule, path: ['schedule'] }];
  while (work.length > 0) {
    const { items, path: at } = work.pop()!;
    items.forEach((item, i) => {
      if (item === null || typeof item !== 'object') return;
      const here = [...at, i];
      const { kind, steps, arrival } = item as Json;
      if (kind === 'repeat' && Array.isArray(steps)) work.push({ items: steps, path: [...here, 'steps'] });
      if (kind !== 'burst' || arrival === null || typeof arrival !== 'object') return;
      const a = arrival as Json;
      if (a.kind !== 'trace' || typeof a.file !== 'string') return;
      try {
        readInto(a, definitionFile);
      } catch (error) {
        problems.push({ path: formatPath([...here, 'arrival', 'file']), message: (error as Error).message });
      }
    });
  }
  if (problems.length > 0) throw new ValidationError(subject, problems);
}

function readInto(arrival: Json, definitionFile: string): void {
  const relative = arrival.file as string;
  const absolute = path.resolve(path.dirname(path.resolve(definitionFile)), relative);
  const text = readUtf8File(relative, absolute, 'a trace file (.csv)');
  if (arrival.format !== undefined && arrival.format !== 'azure-functions-2019') return; // the schema names the format problem
  let row: ReturnType<typeof selectTraceRow>;
  try {
    row = selectTraceRow(parseAzureFunctionsTrace(text), typeof arrival.function === 'string' ? arrival.function : undefined);
  } catch (error) {
    throw new Error(`${relative}: ${error instanceof TraceFormatError ? error.message : (error as Error).message}`);
  }
  const sha = createHash('sha256').update(text).digest('hex');
  arrival.perMinute = row.perMinute;
  arrival.source = `${path.basename(relative)} (sha256 ${sha.slice(0, 16)}), line ${row.line}, HashFunction ${row.function.slice(0, 16)}, trigger ${row.trigger}`;
  delete arrival.file;
  delete arrival.function;
}
