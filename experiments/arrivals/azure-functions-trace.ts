/**
 * Reads the per-minute invocation counts of the Azure Functions 2019 public
 * trace (Shahrad et al., "Serverless in the Wild", USENIX ATC 2020; dataset
 * github.com/Azure/AzurePublicDataset, AzureFunctionsDataset2019.md, revision 2,
 * 2020-06-18, read 2026-12-06; data licensed CC-BY 4.0).
 *
 * Format of `invocations_per_function_md.anon.dNN.csv`: a header
 * `HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440`, then one row per
 * function: three hashed ids, the trigger group (http, timer, event, queue,
 * storage, orchestration, others) and the number of invocations in each minute
 * of the day. Files with fewer minute columns (slices, samples) are read the same
 * way, as long as the minutes are numbered 1..N.
 */

export interface TraceRow {
  /** 1-based line of the file. */
  line: number;
  owner: string;
  app: string;
  function: string;
  trigger: string;
  perMinute: number[];
}

export class TraceFormatError extends Error {
  constructor(
    readonly line: number,
    readonly column: number | null,
    message: string,
  ) {
    super(`line ${line}${column !== null ? ` column ${column}` : ''}: ${message}`);
    this.name = 'TraceFormatError';
  }
}

const FIXED_COLUMNS = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger'];

export function parseAzureFunctionsTrace(text: string): TraceRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  for (let i = 0; i < FIXED_COLUMNS.length; i++) {
    if (header[i] !== FIXED_COLUMNS[i]) throw new TraceFormatError(1, i + 1, `expected the header to start with ${FIXED_COLUMNS.join(',')}, found "${header.slice(0, 4).join(',')}"`);
  }
  const minutes = header.length - FIXED_COLUMNS.length;
  if (minutes < 1) throw new TraceFormatError(1, null, 'no minute columns after Trigger');
  for (let m = 1; m <= minutes; m++) {
    if (header[FIXED_COLUMNS.length + m - 1] !== String(m)) throw new TraceFormatError(1, FIXED_COLUMNS.length + m, `expected minute column "${m}"`);
  }
  const rows: TraceRow[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const cells = raw.split(',');
    if (cells.length !== header.length) throw new TraceFormatError(line, null, `has ${cells.length} columns, the header ${header.length}`);
    const perMinute = cells.slice(FIXED_COLUMNS.length).map((cell, m) => {
      if (!/^\d+$/.test(cell)) throw new TraceFormatError(line, FIXED_COLUMNS.length + m + 1, `expected a count of invocations, found "${cell}"`);
      return Number(cell);
    });
    rows.push({ line, owner: cells[0]!, app: cells[1]!, function: cells[2]!, trigger: cells[3]!, perMinute });
  });
  if (rows.length === 0) throw new TraceFormatError(2, null, 'the trace has no rows');
  return rows;
}

/** The row of a function: its HashFunction or a unique prefix of it; the first row when none is named. */
export function selectTraceRow(rows: TraceRow[], fn: string | undefined): TraceRow {
  if (fn === undefined) return rows[0]!;
  const matches = rows.filter((r) => r.function.startsWith(fn));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new Error(`no row has a HashFunction starting with "${fn}"`);
  throw new Error(`${matches.length} rows have a HashFunction starting with "${fn}"; give more of it`);
}
