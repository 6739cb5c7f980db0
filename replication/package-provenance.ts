/**
 * The replication package a run directory was unpacked from, if any: `replan`
 * unpacks a package as `<dir>/curtain-package.json` beside `<dir>/run/`, so a
 * report of `<dir>/run` can list the checksums the package recorded
 * (report.html's "Replication package" section).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PackageProvenance } from '../analysis/report/report-html';
import { PACKAGE_DIRS, PACKAGE_MANIFEST, PackageManifest } from './package-manifest';

/** Null when the run directory is not the `run/` of an unpacked package (or its manifest does not read). */
export function packageProvenanceOf(runDir: string): PackageProvenance | null {
  const resolved = path.resolve(runDir);
  if (path.basename(resolved) !== PACKAGE_DIRS.run) return null;
  const top = path.dirname(resolved);
  let text: string;
  try {
    text = readFileSync(path.join(top, PACKAGE_MANIFEST), 'utf8');
  } catch {
    return null;
  }
  let parsed: ReturnType<typeof PackageManifest.safeParse>;
  try {
    parsed = PackageManifest.safeParse(JSON.parse(text));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  return { file: top, sha256: null, checksums: parsed.data.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })) };
}
