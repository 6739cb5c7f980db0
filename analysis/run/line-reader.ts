/**
 * Reads a text file line by line in large chunks without keeping more than one
 * chunk and one partial line in memory. Faster than node:readline (which
 * emits an event per line) and it tells the caller whether the last line ended
 * with a newline: a line without one is where a writer stopped mid-record.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 1 << 20;

export interface LineFileSummary {
  lines: number;
  bytes: number;
}

/** `onLine(text, lineNumber, terminated)`; line numbers start at 1; `\r\n` endings are accepted. */
export async function forEachLine(
  file: string,
  onLine: (text: string, lineNumber: number, terminated: boolean) => void,
): Promise<LineFileSummary> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  let bytes = 0;
  const emit = (text: string, terminated: boolean) => {
    lineNumber += 1;
    onLine(text.endsWith('\r') ? text.slice(0, -1) : text, lineNumber, terminated);
  };
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const text = pending + decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      emit(text.slice(start, newline), true);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) emit(pending, false);
  return { lines: lineNumber, bytes };
}
