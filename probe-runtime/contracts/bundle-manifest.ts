/**
 * The deployable bundles `npm run build:runtime` writes, and their manifest
 * (dist/runtime/manifest.json) with sizes and sha256 hashes. Stacks use a
 * bundle's directory as the function code asset; run provenance records hashes.
 *
 * Each bundle is a directory dist/runtime/<name>/ whose entry is:
 *   Node bundles   index.js, exporting `handler` (Lambda), `probe`/`driver` (Google HTTP),
 *                  registering the HTTP trigger with @azure/functions (Azure), or running
 *                  the shim protocol (local)
 *   probe-python   probe.py (standard library only) with `handler(event, context)` for Lambda,
 *                  main.py exposing `probe(request)` for Google, and `--shim` mode for the local platform
 */
import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from './providers';

/** Every provider has a Node probe bundle `probe-<id>` and a driver bundle `driver-<id>`; Python probes share one bundle. */
export type ProbeBundleName = `probe-${ProviderId}`;
export type DriverBundleName = `driver-${ProviderId}`;

export function probeBundleName(provider: ProviderId): ProbeBundleName {
  return `probe-${provider}`;
}

export function driverBundleName(provider: ProviderId): DriverBundleName {
  return `driver-${provider}`;
}

export const PYTHON_PROBE_BUNDLE = 'probe-python';

export const BUNDLE_NAMES = [...PROVIDER_IDS.map(probeBundleName), PYTHON_PROBE_BUNDLE, ...PROVIDER_IDS.map(driverBundleName)] as [
  ProbeBundleName | typeof PYTHON_PROBE_BUNDLE | DriverBundleName,
  ...(ProbeBundleName | typeof PYTHON_PROBE_BUNDLE | DriverBundleName)[],
];
export type BundleName = (typeof BUNDLE_NAMES)[number];

export const BundleEntry = z.strictObject({
  /** Directory relative to the repository root, e.g. dist/runtime/probe-aws. */
  dir: z.string(),
  /** Entry file inside dir, e.g. index.js or probe.py. */
  entry: z.string(),
  bytes: z.number().int().min(0),
  /** sha256 over the directory's files (sorted by name). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const BundleManifest = z.strictObject({
  v: z.literal(1),
  tool: z.strictObject({ name: z.literal('curtain'), version: z.string() }),
  bundles: z.record(z.enum(BUNDLE_NAMES), BundleEntry),
});
export type BundleManifest = z.output<typeof BundleManifest>;

export const BUNDLE_ROOT = 'dist/runtime';
export const BUNDLE_MANIFEST_PATH = `${BUNDLE_ROOT}/manifest.json`;
