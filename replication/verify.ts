/**
 * `curtain verify`: checks a replication package (the .tar.gz, streamed, never
 * unpacked) or an unpacked package directory against its manifest
 * (package-check.ts). unpackPackage extracts one safely and verifies it on the
 * way: it refuses entries outside the package, links, unlisted or altered
 * files, and sizes past the limits or the free disk space, and the target
 * directory appears only when everything passed.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeSync } from 'node:fs';
import path from 'node:path';
import { InputFileError } from '../experiments/errors';
import { type ArchiveLimits, DEFAULT_LIMITS, readTarGz } from './archive/tar-gz-reader';
import { TarFormatError } from './archive/tar-format';
import { PackageChecker, type PackageProblem } from './package-check';
import { PACKAGE_MANIFEST, PackageManifest } from './package-manifest';
import { MAX_JSON_BYTES, parseJsonBytes, readJsonFile } from './read-json';

export interface VerifyResult {
  ok: boolean;
  manifest: PackageManifest | null;
  files: number;
  bytes: number;
  problems: PackageProblem[];
}

export class PackageError extends Error {
  override name = 'PackageError';
}

async function collect(chunks: AsyncGenerator<Buffer>, max: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > max) throw new PackageError(`${what} is larger than ${max} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Verifies a package file or an unpacked package directory. */
export async function verifyPackage(input: string, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<VerifyResult> {
  const info = lstatSync(input, { throwIfNoEntry: false });
  if (!info) throw new InputFileError(input, 'no such file or directory (expected a replication package)');
  return info.isDirectory() ? verifyDirectory(input) : verifyArchive(input, limits, null);
}

/**
 * Streams the archive once, checking every file; with `into`, writes each file
 * below that directory as it goes (the caller renames it into place).
 */
async function verifyArchive(file: string, limits: ArchiveLimits, into: string | null): Promise<VerifyResult> {
  if (!lstatSync(file).isFile()) throw new InputFileError(file, 'not a regular file (expected a replication package)');
  let checker: PackageChecker | null = null;
  let files = 0;
  try {
    for await (const entry of readTarGz(file, limits)) {
      if (entry.type === 'directory') continue;
      if (checker === null) {
        if (entry.relative !== PACKAGE_MANIFEST) throw new PackageError(`the first file of a package is ${PACKAGE_MANIFEST}, not ${entry.path}`);
        const bytes = await collect(entry.content(), MAX_JSON_BYTES, PACKAGE_MANIFEST);
        const manifest = parseJsonBytes(entry.path, bytes, PackageManifest, 'package manifest');
        checker = new PackageChecker(manifest);
        if (into) {
          const total = manifest.files.reduce((a, f) => a + f.bytes, 0);
          if (total > limits.maxTotalBytes) throw new PackageError(`the package declares ${total} bytes, more than the limit of ${limits.maxTotalBytes}`);
          const free = freeBytes(path.dirname(into));
          if (free !== null && total > free) throw new PackageError(`the package needs ${total} bytes; ${path.dirname(into)} has ${free} free`);
          writeNew(into, PACKAGE_MANIFEST, [bytes]);
        }
        continue;
      }
      files += 1;
      const hash = createHash('sha256');
      const keep = checker.wantsContent(entry.relative);
      const parts: Buffer[] = [];
      let size = 0;
      // An unlisted file is never written: it is reported and skipped.
      const target = into && checker.isListed(entry.relative) ? openNew(into, entry.relative) : null;
      try {
        for await (const chunk of entry.content()) {
          hash.update(chunk);
          size += chunk.length;
          if (keep && size <= MAX_JSON_BYTES) parts.push(chunk);
          if (target !== null) writeSync(target, chunk);
        }
      } finally {
        if (target !== null) closeSync(target);
      }
      checker.file(entry.relative, size, hash.digest('hex'), keep ? Buffer.concat(parts) : undefined);
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw new PackageError(`${file}: ${error.message}`);
    throw error;
  }
  if (checker === null) throw new PackageError(`${file}: an empty archive, not a replication package`);
  const problems = checker.finish();
  return { ok: problems.length === 0, manifest: checker.manifest, files, bytes: checker.bytes, problems };
}

async function verifyDirectory(dir: string): Promise<VerifyResult> {
  const manifest = readJsonFile(path.join(dir, PACKAGE_MANIFEST), PackageManifest, 'package manifest');
  const checker = new PackageChecker(manifest);
  let files = 0;
  const walk = async (prefix: string) => {
    for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (relative === PACKAGE_MANIFEST) continue;
      if (entry.isDirectory()) await walk(relative);
      else if (!entry.isFile()) checker.problems.push({ file: relative, problem: entry.isSymbolicLink() ? 'is a symbolic link, which a package never holds' : 'is not a regular file' });
      else {
        files += 1;
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of createReadStream(path.join(dir, relative), { highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        const keep = checker.wantsContent(relative) && size <= MAX_JSON_BYTES;
        checker.file(relative, size, hash.digest('hex'), keep ? readFileSync(path.join(dir, relative)) : undefined);
      }
    }
  };
  await walk('');
  const problems = checker.finish();
  return { ok: problems.length === 0, manifest, files, bytes: checker.bytes, problems };
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Opens `<root>/<relative>` for writing, creating its directories; never follows or replaces anything that exists. */
function openNew(root: string, relative: string): number {
  const file = path.join(root, ...relative.split('/'));
  // readTarGz has checked the path (relative, no `..`); this is the second lock on the door.
  if (!file.startsWith(root + path.sep)) throw new PackageError(`${relative} would be written outside ${root}`);
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    return openSync(file, 'wx', 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw new PackageError(`${relative} clashes with another entry of the package (it appears twice, or as both a file and a directory)`);
    throw error;
  }
}

function writeNew(root: string, relative: string, chunks: Buffer[]): void {
  const fd = openNew(root, relative);
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/**
 * Unpacks a package into `target` (which must not exist), verifying it on the
 * way. On any problem nothing is left behind and the problems are returned.
 */
export async function unpackPackage(file: string, target: string, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<VerifyResult> {
  const destination = path.resolve(target);
  if (existsSync(destination)) throw new PackageError(`${destination} exists already: unpack into a new directory`);
  const partial = `${destination}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o755 });
  try {
    const result = await verifyArchive(file, limits, partial);
    if (!result.ok) {
      rmSync(partial, { recursive: true, force: true });
      return result;
    }
    renameSync(partial, destination);
    return result;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}
