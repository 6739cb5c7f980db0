/**
 * Which bundles a run used and whether a dist/runtime holds exactly those:
 * run.json records the sha256 of the probe, driver and Python probe bundles
 * of its provider; the bundle manifest lists every bundle with its hash, and
 * each directory is hashed again, so a manifest that lies is caught too.
 */
import path from 'node:path';
import type { ProviderId } from '../experiments/schema';
import { hashDirectory } from '../probe-runtime/build/hash-dir';
import { BUNDLE_MANIFEST_PATH, BundleManifest, type BundleName } from '../probe-runtime/contracts/bundle-manifest';
import type { RunManifest } from '../probe-runtime/contracts/run-manifest';
import { readJsonFile } from './read-json';

export function recordedBundles(manifest: RunManifest, provider: ProviderId): [BundleName, string | null][] {
  return [
    [`probe-${provider}`, manifest.bundles.probe],
    [`driver-${provider}`, manifest.bundles.driver],
    ['probe-python', manifest.bundles.pythonProbe],
  ];
}

export interface BundleDifference {
  bundle: BundleName;
  expected: string;
  actual: string | null;
  /** What the expected hash comes from. */
  source: 'run.json' | 'manifest.json';
}

/** The bundle manifest under `root` and the bundles whose directories or recorded hashes differ from it. */
export function checkBundleRoot(root: string, run: RunManifest | null, provider: ProviderId): { manifest: BundleManifest; differences: BundleDifference[] } {
  const manifest = readJsonFile(path.join(root, BUNDLE_MANIFEST_PATH), BundleManifest, 'bundle manifest');
  const differences: BundleDifference[] = [];
  for (const [name, entry] of Object.entries(manifest.bundles) as [BundleName, BundleManifest['bundles'][BundleName]][]) {
    let actual: string | null;
    try {
      actual = hashDirectory(path.join(root, entry.dir)).sha256;
    } catch {
      actual = null;
    }
    if (actual !== entry.sha256) differences.push({ bundle: name, expected: entry.sha256, actual, source: 'manifest.json' });
  }
  for (const [name, recorded] of run ? recordedBundles(run, provider) : []) {
    if (recorded === null) continue;
    const here = manifest.bundles[name]?.sha256 ?? null;
    if (here !== recorded) differences.push({ bundle: name, expected: recorded, actual: here, source: 'run.json' });
  }
  return { manifest, differences };
}
