/**
 * Temporary directories of one test file, removed when the file's tests end (pass or fail).
 * Importing this module registers the removal with the test file's root `afterAll`; jest gives each test file
 * its own module registry, so each file removes only the directories it made. Set CURTAIN_KEEP_TEST_DIRS=1 to
 * keep them for a post-mortem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

afterAll(() => {
  if (process.env.CURTAIN_KEEP_TEST_DIRS === '1') return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the system temp directory, named `<prefix>XXXXXX`, removed after this file's tests. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
