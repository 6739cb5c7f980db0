/**
 * Reads a .tar.gz entry by entry, streaming, within bounds: every entry's path
 * is checked (relative, no `..`, no control characters, one top directory),
 * only regular files and directories are accepted (tar-format.ts refuses
 * links, devices and extension headers), and the number of entries, each
 * file's size and the total are capped, so neither a hostile archive nor a
 * decompression bomb can write outside the target or fill the disk.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { BLOCK, decodeHeader, padding, TarFormatError, type TarHeader } from './tar-format';

export interface ArchiveLimits {
  /** Largest file, bytes. */
  maxFileBytes: number;
  /** All files together, bytes. */
  maxTotalBytes: number;
  maxEntries: number;
}

/** Generous for real runs (a million-record study is ~1 GB of shards), small enough to stop a bomb. */
export const DEFAULT_LIMITS: ArchiveLimits = { maxFileBytes: 8 * 1024 ** 3 - 1, maxTotalBytes: 64 * 1024 ** 3, maxEntries: 500_000 };

export interface ArchiveEntry extends TarHeader {
  /** The path below the archive's top directory. */
  relative: string;
  /** The entry's content, in chunks; read it (or not) before asking for the next entry. */
  content(): AsyncGenerator<Buffer>;
}

/** A safe relative path: forward slashes, no empty, `.` or `..` segments, no control characters or backslashes. */
export function checkEntryPath(path: string): string | null {
  if (path.startsWith('/')) return 'is absolute';
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return 'contains a control character or a backslash';
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment';
  if (path.length > 1024) return 'is longer than 1024 characters';
  return null;
}

/** Pulls exact byte counts out of a stream of chunks. */
class ChunkReader {
  private buffered: Buffer[] = [];
  private available = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.available < n) {
      const next = await this.source.next();
      if (next.done) return false;
      this.buffered.push(next.value);
      this.available += next.value.length;
    }
    return true;
  }

  /** Up to `n` bytes (fewer only at the end of the stream). */
  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = Buffer.concat(this.buffered);
    const out = all.subarray(0, Math.min(n, all.length));
    this.buffered = all.length > n ? [all.subarray(n)] : [];
    this.available = all.length - out.length;
    return out;
  }

  /** The next chunk of at most `n` bytes, without concatenating (for streaming content). */
  async chunk(n: number): Promise<Buffer> {
    if (this.available === 0 && !(await this.fill(1))) return Buffer.alloc(0);
    const first = this.buffered[0]!;
    if (first.length <= n) {
      this.buffered.shift();
      this.available -= first.length;
      return first;
    }
    this.buffered[0] = first.subarray(n);
    this.available -= n;
    return first.subarray(0, n);
  }
}

export async function* readTarGz(file: string, limits: ArchiveLimits = DEFAULT_LIMITS): AsyncGenerator<ArchiveEntry> {
  const stream = createReadStream(file).pipe(createGunzip());
  const reader = new ChunkReader(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  let top: string | null = null;
  let entries = 0;
  let total = 0;
  try {
    for (;;) {
      const block = await reader.take(BLOCK);
      if (block.length < BLOCK) throw new TarFormatError('the archive ends in the middle of a header (truncated)');
      const header = decodeHeader(block);
      if (header === null) return;
      entries += 1;
      if (entries > limits.maxEntries) throw new TarFormatError(`more than ${limits.maxEntries} entries`);
      const problem = checkEntryPath(header.path);
      if (problem) throw new TarFormatError(`${JSON.stringify(header.path)} ${problem}`);
      const [first, ...rest] = header.path.replace(/\/$/, '').split('/');
      if (top === null) top = first!;
      if (first !== top) throw new TarFormatError(`${header.path} is outside the package's top directory ${top}/`);
      if (header.size > limits.maxFileBytes) throw new TarFormatError(`${header.path} is ${header.size} bytes, more than the limit of ${limits.maxFileBytes}`);
      total += header.size;
      if (total > limits.maxTotalBytes) throw new TarFormatError(`the package holds more than ${limits.maxTotalBytes} bytes`);
      let left = header.size;
      let consumed = false;
      const content = async function* (): AsyncGenerator<Buffer> {
        if (consumed) throw new Error(`tar: the content of ${header.path} was already read`);
        consumed = true;
        while (left > 0) {
          const chunk = await reader.chunk(Math.min(left, 1 << 20));
          if (chunk.length === 0) throw new TarFormatError(`${header.path} is truncated`);
          left -= chunk.length;
          yield chunk;
        }
      };
      yield { ...header, relative: rest.join('/'), content };
      // Whatever the consumer did not read is skipped, then the padding.
      while (left > 0) {
        const chunk = await reader.chunk(Math.min(left, 1 << 20));
        if (chunk.length === 0) throw new TarFormatError(`${header.path} is truncated`);
        left -= chunk.length;
      }
      if ((await reader.take(padding(header.size))).length < padding(header.size)) throw new TarFormatError(`${header.path} is truncated`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      throw new TarFormatError(`not a gzip-compressed archive, or a damaged one (${(error as Error).message})`);
    }
    throw error;
  } finally {
    stream.destroy();
  }
}
