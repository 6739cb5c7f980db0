/**
 * The POSIX ustar format (POSIX.1-2017, pax utility, "ustar Interchange
 * Format"), the subset a replication package uses: regular files and
 * directories, paths split into prefix (155 bytes) and name (100 bytes), sizes
 * below 8 GiB. GNU tar, bsdtar and Python's tarfile read it (a test checks GNU
 * tar both ways). Anything else in an archive (links, devices, FIFOs, pax or
 * GNU extension headers) is refused by the reader rather than interpreted.
 */

export const BLOCK = 512;
/** 11 octal digits: the largest size a ustar header holds. */
export const MAX_USTAR_SIZE = 8 ** 11 - 1;

export type EntryType = 'file' | 'directory';

export interface TarHeader {
  path: string;
  size: number;
  type: EntryType;
  mtime: number;
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
  bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a path into ustar's prefix and name fields (a `/` between them), or throws when it cannot fit. */
export function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  throw new Error(`tar: the path "${path}" is too long for a ustar header`);
}

export function encodeHeader(header: TarHeader): Buffer {
  if (header.size > MAX_USTAR_SIZE) throw new Error(`tar: ${header.path} is larger than a ustar entry can hold (8 GiB)`);
  const block = Buffer.alloc(BLOCK);
  const path = header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
  const { prefix, name } = splitPath(path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, header.type === 'directory' ? 0o755 : 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, header.type === 'directory' ? 0 : header.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(header.mtime)));
  block.fill(0x20, 148, 156);
  block[156] = header.type === 'directory' ? 0x35 : 0x30;
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  const sum = block.reduce((a, b) => a + b, 0);
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Padding after `size` bytes of content, to the next block boundary. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

function readString(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number, what: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError(`a header's ${what} is not an octal number`);
  return text === '' ? 0 : parseInt(text, 8);
}

const TYPES: Record<string, EntryType> = { '0': 'file', '\0': 'file', '5': 'directory' };
const REFUSED: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  x: 'a pax extended header',
  g: 'a pax global header',
  L: 'a GNU long name',
  K: 'a GNU long link name',
};

/** Decodes a header block; null for an all-zero block (the end of the archive). */
export function decodeHeader(block: Buffer): TarHeader | null {
  if (block.every((b) => b === 0)) return null;
  const stored = readOctal(block, 148, 8, 'checksum');
  const copy = Buffer.from(block);
  copy.fill(0x20, 148, 156);
  if (copy.reduce((a, b) => a + b, 0) !== stored) throw new TarFormatError('a header checksum does not match: the archive is damaged');
  if (readString(block, 257, 6) !== 'ustar') throw new TarFormatError('not a ustar archive');
  const name = readString(block, 0, 100);
  const prefix = readString(block, 345, 155);
  const path = prefix ? `${prefix}/${name}` : name;
  const flag = String.fromCharCode(block[156]!);
  const type = TYPES[flag];
  if (!type) throw new TarFormatError(`${path}: ${REFUSED[flag] ?? `an entry of type "${flag}"`}, which a replication package never holds`);
  const size = readOctal(block, 124, 12, 'size');
  if (type === 'directory' && size !== 0) throw new TarFormatError(`${path}: a directory entry with content`);
  return { path, size, type, mtime: readOctal(block, 136, 12, 'mtime') };
}
