/**
 * How a run names its study, for run.json (`origin.options.study`): a catalog
 * id, or a definition file by absolute path and the sha256 of its bytes (so a
 * package can prove it ships the file the run was planned from).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputFileError } from './errors';
import { isDefinitionPath } from './resolve-study';
import type { StudyReference } from '../probe-runtime/contracts/run-manifest';

export function fileSha256(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (error) {
    throw new InputFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export function studyReference(ref: string, cwd: string = process.cwd()): StudyReference {
  if (!isDefinitionPath(ref)) return { kind: 'catalog', id: ref };
  const absolute = path.resolve(cwd, ref);
  return { kind: 'file', path: absolute, sha256: fileSha256(absolute) };
}
