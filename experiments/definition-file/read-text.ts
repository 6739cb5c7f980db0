/**
 * Reads a definition (or trace) file as text, refusing what would be read
 * wrongly or for ever: non-regular files (a FIFO blocks), files too large to be
 * a definition, and bytes that are not UTF-8 (decoding them with replacement
 * characters would silently corrupt titles and labels). A UTF-8 byte-order mark
 * is dropped, as editors on Windows write one.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputFileError } from '../errors';

/** Far above any definition (a replayed day of trace counts is ~10 KB); a guard against reading a disk image. */
export const MAX_DEFINITION_FILE_BYTES = 32 * 1024 * 1024;

export function readUtf8File(file: string, absolute: string, what = 'a .json, .ts or .js file'): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever; it has no
    // effect on the regular files read below.
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputFileError(file, `is a directory, expected ${what}`);
    if (!stat.isFile()) throw new InputFileError(file, `is not a regular file (a device, FIFO or socket), expected ${what}`);
    if (stat.size > MAX_DEFINITION_FILE_BYTES) {
      throw new InputFileError(file, `is ${stat.size} bytes, larger than the ${MAX_DEFINITION_FILE_BYTES / (1024 * 1024)} MiB a definition may have`);
    }
    const bytes = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const n = readSync(fd, bytes, offset, bytes.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return decodeUtf8(file, bytes.subarray(0, offset));
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
}

/** Strict UTF-8 decoding; the error names the line and column of the first invalid byte. */
export function decodeUtf8(file: string, bytes: Buffer): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad !== null) {
    const before = bytes.subarray(0, bad).toString('utf8');
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new InputFileError(
      file,
      `is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at line ${line} column ${column}); save it as UTF-8`,
    );
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Index of the first byte that starts an invalid UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF), or null. */
export function firstInvalidUtf8(bytes: Uint8Array): number | null {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    if (i + length > bytes.length) return i;
    let code = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += length;
  }
  return null;
}
