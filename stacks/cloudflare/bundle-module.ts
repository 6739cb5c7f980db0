/** A bundle's ES module text (index.js), uploaded inline as a Worker module. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BundleSet } from '../../probe-runtime/build/bundle-set';
import type { BundleName } from '../../probe-runtime/contracts/bundle-manifest';

export function readBundleModule(bundles: BundleSet, name: BundleName): string {
  return readFileSync(path.join(bundles.dir(name), 'index.js'), 'utf8');
}
