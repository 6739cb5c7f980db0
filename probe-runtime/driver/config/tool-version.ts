/**
 * Curtain's version for run provenance. The bundle build replaces
 * __CURTAIN_VERSION__ with the version from package.json (esbuild `define`), so
 * a deployed bundle reports the version it was built from; run from source
 * (tsx, jest) the package.json is read instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

declare const __CURTAIN_VERSION__: string | undefined;

export function toolVersion(): string {
  if (typeof __CURTAIN_VERSION__ === 'string') return __CURTAIN_VERSION__;
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
