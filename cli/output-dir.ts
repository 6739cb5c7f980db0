/**
 * An output directory (`--out`) is checked, and created, before any work
 * starts: a path naming a file, or a place that cannot be written (a read-only
 * mount, /proc), is one message naming the option, instead of a failure after
 * the platform started or the analysis ran.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './cli-error';

export async function prepareOutputDir(command: string, option: string, dir: string): Promise<string> {
  const target = path.resolve(dir);
  const problem = (why: string) => new CliError(`curtain ${command}: ${option}: ${target}: ${why}`);
  // Create the missing levels one by one below the nearest existing ancestor (a recursive mkdir
  // below /proc does not fail cleanly), so each failure names its cause.
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const info = await lstat(existing).catch(() => null);
    if (info) {
      const resolved = info.isSymbolicLink() ? await stat(existing).catch(() => null) : info;
      if (!resolved?.isDirectory()) {
        throw existing === target ? problem(`is a file, not a directory`) : problem(`${existing} is a file, not a directory`);
      }
      break;
    }
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const level of missing) {
    await mkdir(level).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw problem(`cannot be created (${error.code ?? error.message})`);
    });
  }
  // Writable? A probe file, created exclusively and removed again.
  const probe = path.join(target, `.curtain-write-check-${process.pid}`);
  try {
    const handle = await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    await handle.close();
  } catch (error) {
    throw problem(`cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  await rm(probe, { force: true });
  return target;
}
