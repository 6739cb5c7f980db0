/**
 * Writes a .tar.gz with Node's standard library only (zlib + the ustar
 * headers of tar-format.ts), streaming: a shard of any size passes through in
 * chunks and is hashed on the way, so what was written is what was checked.
 * The archive is written to `<file>.part` and renamed when complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { BLOCK, encodeHeader, padding } from './tar-format';

export interface WrittenEntry {
  bytes: number;
  sha256: string;
}

export class TarGzWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly part: string;
  private readonly done: Promise<unknown>;

  constructor(
    private readonly target: string,
    private readonly mtime: number,
  ) {
    this.part = `${target}.part`;
    this.gzip = createGzip({ level: 9 });
    this.file = createWriteStream(this.part, { flags: 'wx' });
    this.gzip.pipe(this.file);
    this.done = once(this.file, 'close');
    // Errors surface through write() and finish(); this keeps an early one from being unhandled.
    this.done.catch(() => undefined);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  async addBuffer(path: string, content: Buffer): Promise<WrittenEntry> {
    await this.write(encodeHeader({ path, size: content.length, type: 'file', mtime: this.mtime }));
    await this.write(content);
    await this.write(Buffer.alloc(padding(content.length)));
    return { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  }

  /** Streams a file in; `size` is what its header declares, and the file must still have exactly that many bytes. */
  async addFile(path: string, source: string, size: number): Promise<WrittenEntry> {
    await this.write(encodeHeader({ path, size, type: 'file', mtime: this.mtime }));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
      const buffer = chunk as Buffer;
      bytes += buffer.length;
      if (bytes > size) throw new Error(`${source} grew while it was packed`);
      hash.update(buffer);
      await this.write(buffer);
    }
    if (bytes !== size) throw new Error(`${source} shrank while it was packed`);
    await this.write(Buffer.alloc(padding(size)));
    return { bytes, sha256: hash.digest('hex') };
  }

  async finish(): Promise<void> {
    // Two zero blocks end a tar archive.
    await this.write(Buffer.alloc(2 * BLOCK));
    this.gzip.end();
    await this.done;
    renameSync(this.part, this.target);
  }

  /** Stops and removes the partial archive. */
  abort(): void {
    this.gzip.destroy();
    this.file.destroy();
    rmSync(this.part, { force: true });
  }
}
