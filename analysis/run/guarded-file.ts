/**
 * Opening a file of a run directory without trusting it: a run may come from
 * anyone (a download, a published package, a directory someone edited), so
 * every file is checked before a byte is read:
 *   - a symbolic link is followed only when its target stays inside the run
 *     directory (a link to /dev/zero or to someone's private file is refused,
 *     and nothing of the target is printed);
 *   - only regular files are read (a directory, a FIFO, which would block the
 *     reader for ever, a device or a socket is refused);
 *   - a file larger than its kind can be is refused before it is read;
 *   - the file is opened non-blocking without following links and re-checked
 *     on the open descriptor, so a swap after the check is caught.
 * A refusal is an InputFileError naming the file relative to the run.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputFileError } from '../../experiments/errors';

export interface GuardedFile {
  handle: FileHandle;
  size: number;
  /** The path the user sees (relative to the run directory's parent where possible). */
  shown: string;
}

export interface GuardOptions {
  /** Largest size this kind of file can legitimately have. */
  maxBytes: number;
  /** Completes "<size> bytes, more than …", e.g. "any plan (at most 67108864 bytes)". */
  sizeReason: string;
}

/** Opens `file` (inside `runDir`) for reading after the checks above; null when it does not exist. */
export async function openGuarded(runDir: string, file: string, shown: string, options: GuardOptions): Promise<GuardedFile | null> {
  const info = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new InputFileError(shown, `cannot be read (${error.code ?? error.message})`);
  });
  if (!info) return null;
  let target = info;
  if (info.isSymbolicLink()) {
    const resolved = await realpath(file).catch(() => null);
    const root = await realpath(runDir).catch(() => path.resolve(runDir));
    if (resolved === null) throw new InputFileError(shown, 'a symbolic link whose target does not exist');
    if (!isInside(root, resolved)) {
      throw new InputFileError(shown, `a symbolic link to ${resolved}, outside the run directory: refused (links are followed only within the run)`);
    }
    target = await stat(resolved);
  }
  checkRegular(target, shown);
  checkSize(target.size, shown, options);
  const handle = await open(info.isSymbolicLink() ? await realpath(file) : file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      throw new InputFileError(shown, `cannot be opened (${error.code ?? error.message})`);
    },
  );
  try {
    const opened = await handle.stat();
    if (opened.ino !== target.ino || opened.dev !== target.dev) throw new InputFileError(shown, 'changed while it was being opened: refused');
    checkRegular(opened, shown);
    checkSize(opened.size, shown, options);
    return { handle, size: opened.size, shown };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a whole guarded file (JSON documents of a run: plan.json, run.json); null when it does not exist. */
export async function readGuardedText(runDir: string, file: string, shown: string, options: GuardOptions): Promise<string | null> {
  const opened = await openGuarded(runDir, file, shown, options);
  if (!opened) return null;
  try {
    // Read at most one byte more than allowed: a file that grew after the check is still refused.
    const buffer = Buffer.alloc(Math.min(opened.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await opened.handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > options.maxBytes) checkSize(length, shown, options);
      if (length === buffer.length) break;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await opened.handle.close();
  }
}

/** Whether `child` is `root` or below it (both resolved). */
export function isInside(root: string, child: string): boolean {
  const relative = path.relative(root, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** What a non-regular directory entry is, in words; null for a regular file. */
export function fileKind(info: Stats): string | null {
  if (info.isFile()) return null;
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}

function checkRegular(info: Stats, shown: string): void {
  const kind = fileKind(info);
  if (kind) throw new InputFileError(shown, `not a regular file (${kind}): refused`);
}

function checkSize(size: number, shown: string, options: GuardOptions): void {
  if (size > options.maxBytes) throw new InputFileError(shown, `${size} bytes, more than ${options.sizeReason}: refused`);
}
