/**
 * A bundle directory's size and content hash, as recorded in
 * dist/runtime/manifest.json: sha256 over, for each file sorted by its relative
 * path (forward slashes), the line `<path>\0<sha256 of the file>\n`. Paths are
 * part of the hash, so renaming a file changes it; nothing else (mtimes,
 * permissions) does, so identical sources give identical hashes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Files the Python interpreter writes beside the sources it imports (the local
 * platform runs probe-python in place): not part of a bundle, so a bundle's
 * hash stays the same after it has run.
 */
export function isBuildLeftover(name: string): boolean {
  return name === '__pycache__' || name.endsWith('.pyc');
}

export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (isBuildLeftover(entry.name)) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, relative));
    else if (entry.isFile()) out.push(relative);
  }
  return out.sort();
}

export function hashDirectory(dir: string): { bytes: number; sha256: string } {
  let bytes = 0;
  const sha256 = hashFileList(dir, listFiles(dir), (content) => (bytes += content.length));
  return { bytes, sha256 };
}

/** The same hash over given files (relative paths with forward slashes, already sorted) under `root`. */
export function hashFileList(root: string, files: readonly string[], onFile?: (content: Buffer) => void): string {
  const outer = createHash('sha256');
  for (const file of files) {
    const content = readFileSync(path.join(root, file));
    onFile?.(content);
    outer.update(`${file}\0${createHash('sha256').update(content).digest('hex')}\n`);
  }
  return outer.digest('hex');
}
