/**
 * The deployable bundles an AWS stack needs, read from the bundle manifest
 * (probe-runtime/contracts/bundle-manifest.ts): probe-aws (Node.js probes),
 * probe-python (Python probes) and driver-aws. Their directories become the
 * functions' code assets.
 *
 * `root` is the directory holding dist/runtime/manifest.json: the repository by
 * default, or `-c bundleRoot=<dir>` to deploy bundles built elsewhere (for
 * example the exact bundles of a published study).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_MANIFEST_PATH, BundleManifest, type BundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { BundleRef } from './constructs/probe-fleet';
import { problemsFromZod, formatProblem } from '../../experiments/errors';

export interface AwsBundles {
  nodejsProbe?: BundleRef;
  pythonProbe?: BundleRef;
  driver: BundleRef;
  manifestPath: string;
}

export class BundleError extends Error {
  override name = 'BundleError';
}

export interface BundleNeeds {
  nodejs: boolean;
  python: boolean;
}

export function loadAwsBundles(root: string, needs: BundleNeeds): AwsBundles {
  const manifestPath = path.resolve(root, BUNDLE_MANIFEST_PATH);
  if (!existsSync(manifestPath)) {
    throw new BundleError(`the runtime bundles are not built (${manifestPath} is missing): run \`npm run build:runtime\` first`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new BundleError(`${manifestPath}: not valid JSON (${(error as Error).message}); rebuild with \`npm run build:runtime\``);
  }
  const parsed = BundleManifest.safeParse(raw);
  if (!parsed.success) {
    throw new BundleError(`${manifestPath}: ${problemsFromZod(parsed.error).map(formatProblem).join('; ')}; rebuild with \`npm run build:runtime\``);
  }
  const manifest = parsed.data;
  const ref = (name: BundleName): BundleRef => {
    const entry = manifest.bundles[name];
    if (!entry) throw new BundleError(`${manifestPath} lists no ${name} bundle; rebuild with \`npm run build:runtime\``);
    const dir = path.resolve(root, entry.dir);
    const entryFile = path.join(dir, entry.entry);
    if (!existsSync(entryFile) || !statSync(entryFile).isFile()) {
      throw new BundleError(`bundle ${name}: ${entryFile} is missing; rebuild with \`npm run build:runtime\``);
    }
    return { dir, entry: entry.entry, sha256: entry.sha256 };
  };
  return {
    driver: ref('driver-aws'),
    ...(needs.nodejs ? { nodejsProbe: ref('probe-aws') } : {}),
    ...(needs.python ? { pythonProbe: ref('probe-python') } : {}),
    manifestPath,
  };
}
