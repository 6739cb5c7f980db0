/**
 * The deployable bundles under a root (dist/runtime/<name>/, described by
 * dist/runtime/manifest.json, contracts/bundle-manifest.ts): the one loader
 * every consumer uses (the AWS app, the cdktf app, the local platform,
 * `curtain replan`), so a missing or broken manifest gets the same message
 * everywhere and bundle hashes are read one way.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, problemsFromZod } from '../../experiments/errors';
import { BUNDLE_MANIFEST_PATH, BundleManifest, type BundleName, PYTHON_PROBE_BUNDLE } from '../contracts/bundle-manifest';
import type { RunManifest } from '../contracts/run-manifest';

/** The bundles are missing, stale or broken: one line saying what to do. */
export class BundleError extends Error {
  override name = 'BundleError';
}

/** A bundle's directory, entry file (inside it) and content hash. */
export interface BundleRef {
  dir: string;
  entry: string;
  sha256: string;
}

export interface BundleSet {
  /** The directory holding dist/runtime (the repository, or a copy of published bundles). */
  readonly root: string;
  readonly manifest: BundleManifest;
  /** A bundle whose entry file exists; BundleError otherwise. */
  ref(name: BundleName): BundleRef;
  /** Absolute directory of a bundle. */
  dir(name: BundleName): string;
  /** Absolute path of a bundle's entry file. */
  entryFile(name: BundleName): string;
  /** sha256 of the bundles a target deploys (probe, driver, Python probe), for deployment.json and run.json. */
  hashes(probe: BundleName, driver: BundleName): RunManifest['bundles'];
}

const REBUILD = 'rebuild with `npm run build:runtime`';

/** Reads and validates dist/runtime/manifest.json under `root`. */
export function loadBundleSet(root: string): BundleSet {
  const manifestPath = path.resolve(root, BUNDLE_MANIFEST_PATH);
  if (!existsSync(manifestPath)) throw new BundleError(`the runtime bundles are not built (${manifestPath} is missing): run \`npm run build:runtime\` first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new BundleError(`${manifestPath}: not valid JSON (${(error as Error).message}); ${REBUILD}`);
  }
  const parsed = BundleManifest.safeParse(raw);
  if (!parsed.success) throw new BundleError(`${manifestPath}: ${problemsFromZod(parsed.error).map(formatProblem).join('; ')}; ${REBUILD}`);
  return bundleSet(root, parsed.data);
}

/** A BundleSet over a manifest already read (ensureRuntimeBuilt returns one). */
export function bundleSet(root: string, manifest: BundleManifest): BundleSet {
  const manifestPath = path.resolve(root, BUNDLE_MANIFEST_PATH);
  const ref = (name: BundleName): BundleRef => {
    const entry = manifest.bundles[name];
    if (!entry) throw new BundleError(`${manifestPath} lists no ${name} bundle; ${REBUILD}`);
    const dir = path.resolve(root, entry.dir);
    const entryFile = path.join(dir, entry.entry);
    if (!existsSync(entryFile) || !statSync(entryFile).isFile()) throw new BundleError(`bundle ${name}: ${entryFile} is missing; ${REBUILD}`);
    return { dir, entry: entry.entry, sha256: entry.sha256 };
  };
  return {
    root,
    manifest,
    ref,
    dir: (name) => ref(name).dir,
    entryFile: (name) => {
      const r = ref(name);
      return path.join(r.dir, r.entry);
    },
    hashes: (probe, driver) => ({
      probe: manifest.bundles[probe]?.sha256 ?? null,
      driver: manifest.bundles[driver]?.sha256 ?? null,
      pythonProbe: manifest.bundles[PYTHON_PROBE_BUNDLE]?.sha256 ?? null,
    }),
  };
}
