/**
 * Results in a local directory (the embedded local platform, `curtain fetch`
 * targets): the same layout as a bucket. A file is written to a temporary name
 * in its final directory and renamed over the target, which is atomic on POSIX
 * file systems: a reader never sees half a shard.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertSafeKey, type ResultSink } from './result-sink';

export function createLocalDirSink(root: string): ResultSink {
  const dir = path.resolve(root);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(dir, ...key.split('/'));
  };
  return {
    location: pathToFileURL(dir).href,
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, body);
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(key) {
      try {
        return await readFile(fileOf(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
