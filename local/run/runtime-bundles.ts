/**
 * The deployable bundles a local run executes, the same ones the clouds deploy
 * (probe-runtime/build/bundle-set.ts):
 *   dist/runtime/probe-local/index.js      Node.js instances (shim mode)
 *   dist/runtime/probe-python/probe.py     Python instances (--shim)
 *   dist/runtime/driver-local/index.js     the driver, one process per driver call
 */
import type { BundleSet } from '../../probe-runtime/build/bundle-set';
import { type BundleName, driverBundleName, probeBundleName, PYTHON_PROBE_BUNDLE } from '../../probe-runtime/contracts/bundle-manifest';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { bundleRuntimeCommands, type RuntimeAvailability } from '../instances/runtime-commands';

export type RuntimeBundles = BundleSet;

const NODE_PROBE = probeBundleName('local');

export function bundleFile(bundles: RuntimeBundles, name: BundleName): string {
  return bundles.entryFile(name);
}

export function instanceCommands(bundles: RuntimeBundles): RuntimeAvailability {
  const available = bundleRuntimeCommands(bundles.root);
  const node = bundles.manifest.bundles[NODE_PROBE];
  const python = bundles.manifest.bundles[PYTHON_PROBE_BUNDLE];
  if (available.commands.nodejs && node) available.commands.nodejs.args = [bundles.entryFile(NODE_PROBE)];
  if (!node) available.problems.nodejs = `the ${NODE_PROBE} bundle is missing from dist/runtime/manifest.json`;
  if (available.commands.python && python) available.commands.python.args = [bundles.entryFile(PYTHON_PROBE_BUNDLE), '--shim'];
  if (!python) available.problems.python = `the ${PYTHON_PROBE_BUNDLE} bundle is missing from dist/runtime/manifest.json`;
  return available;
}

export function bundleHashes(bundles: RuntimeBundles): RunManifest['bundles'] {
  return bundles.hashes(NODE_PROBE, driverBundleName('local'));
}
