/**
 * The deployable bundles the stacks package (dist/runtime/<name>/, described by
 * dist/runtime/manifest.json, contract probe-runtime/contracts/bundle-manifest.ts).
 * Synthesis needs them; `npm run build:runtime` writes them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_MANIFEST_PATH, BundleManifest, type BundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';

export interface RuntimeBundles {
  manifest: BundleManifest;
  /** Absolute directory of a bundle. */
  dir(name: BundleName): string;
  /** sha256 of the bundles a provider deploys, for deployment.json (copied into run.json). */
  hashes(probe: BundleName, driver: BundleName): RunManifest['bundles'];
}

export class MissingBundlesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingBundlesError';
  }
}

/** Reads and validates the bundle manifest under `root` (the repository root by default). */
export function loadRuntimeBundles(root: string): RuntimeBundles {
  const manifestFile = path.join(root, BUNDLE_MANIFEST_PATH);
  if (!existsSync(manifestFile)) {
    throw new MissingBundlesError(`${BUNDLE_MANIFEST_PATH} is missing: build the probe and driver bundles first (npm run build:runtime)`);
  }
  const parsed = BundleManifest.safeParse(JSON.parse(readFileSync(manifestFile, 'utf8')));
  if (!parsed.success) throw new MissingBundlesError(`${BUNDLE_MANIFEST_PATH}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const manifest = parsed.data;
  const dir = (name: BundleName) => {
    const entry = manifest.bundles[name];
    if (!entry) throw new MissingBundlesError(`${BUNDLE_MANIFEST_PATH} has no bundle "${name}"`);
    const abs = path.resolve(root, entry.dir);
    if (!existsSync(path.join(abs, entry.entry))) throw new MissingBundlesError(`bundle ${name}: ${entry.dir}/${entry.entry} is missing`);
    return abs;
  };
  return {
    manifest,
    dir,
    hashes: (probe, driver) => ({
      probe: manifest.bundles[probe]?.sha256 ?? null,
      driver: manifest.bundles[driver]?.sha256 ?? null,
      pythonProbe: manifest.bundles['probe-python']?.sha256 ?? null,
    }),
  };
}
