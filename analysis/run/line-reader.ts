/**
 * Reads a text file line by line in large chunks, in bounded memory: at most
 * one chunk and one partial line are held, and a line longer than
 * `maxLineBytes` stops the reading with a LineTooLongError naming the line
 * (a shard without newlines, or a file that is not a shard at all, would
 * otherwise grow one string until the process dies). Faster than
 * node:readline (which emits an event per line), and it tells the caller
 * whether the last line ended with a newline (a line without one is where a
 * writer stopped mid-record) and whether a line is valid UTF-8: invalid bytes
 * are never silently replaced, so they cannot turn into new labels or ids.
 */
import { isUtf8 } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Default bound of one line: far above any record line (contracts/invocation-record.ts). */
export const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;

export interface LineFileSummary {
  lines: number;
  bytes: number;
}

export interface LineReaderOptions {
  /** A longer line throws LineTooLongError (default DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** Checked once per chunk: an abort stops the reading with the signal's reason. */
  signal?: AbortSignal;
}

export class LineTooLongError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly limit: number,
  ) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

/**
 * `onLine(text, lineNumber, terminated, validUtf8)`; line numbers start at 1; `\r\n` endings are
 * accepted. A line that is not valid UTF-8 is passed with `validUtf8` false (its text then holds
 * replacement characters and must not be used as data).
 */
export async function forEachLine(
  source: string | FileHandle,
  onLine: (text: string, lineNumber: number, terminated: boolean, validUtf8: boolean) => void,
  options: LineReaderOptions = {},
): Promise<LineFileSummary> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const handle = typeof source === 'string' ? await open(source, 'r') : source;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** The start of a line that continues in the next chunk (a copy: the chunk buffer is reused). */
  let carry: Buffer | null = null;
  let lineNumber = 0;
  let bytes = 0;
  const emit = (line: Buffer, terminated: boolean) => {
    lineNumber += 1;
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
    const valid = isUtf8(line);
    onLine(line.toString('utf8', 0, end), lineNumber, terminated, valid);
  };
  try {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const view = chunk.subarray(0, bytesRead);
      let start = 0;
      let newline = view.indexOf(NEWLINE, 0);
      while (newline !== -1) {
        if (carry) {
          if (carry.length + newline > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
          emit(Buffer.concat([carry, view.subarray(0, newline)]), true);
          carry = null;
        } else {
          if (newline - start > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
          emit(view.subarray(start, newline), true);
        }
        start = newline + 1;
        newline = view.indexOf(NEWLINE, start);
      }
      if (start < bytesRead) {
        const rest = view.subarray(start);
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        if (carry.length > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
      }
    }
    if (carry && carry.length > 0) emit(carry, false);
    return { lines: lineNumber, bytes };
  } finally {
    if (typeof source === 'string') await handle.close();
  }
}
