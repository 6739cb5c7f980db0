/**
 * The deployable bundles a local run executes, the same ones the clouds deploy:
 *   dist/runtime/probe-local/index.js      Node.js instances (shim mode)
 *   dist/runtime/probe-python/probe.py     Python instances (--shim)
 *   dist/runtime/driver-local/index.js     the driver, one process per driver call
 */
import path from 'node:path';
import type { BundleManifest, BundleName } from '../../probe-runtime/contracts/bundle-manifest';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { bundleRuntimeCommands, type RuntimeAvailability } from '../instances/runtime-commands';

export interface RuntimeBundles {
  /** Directory that holds dist/runtime (the repository, or a copy of published bundles). */
  root: string;
  manifest: BundleManifest;
}

export function bundleFile(bundles: RuntimeBundles, name: BundleName): string {
  const entry = bundles.manifest.bundles[name];
  if (!entry) throw new Error(`the runtime bundle ${name} is missing from dist/runtime/manifest.json`);
  return path.join(bundles.root, entry.dir, entry.entry);
}

export function instanceCommands(bundles: RuntimeBundles): RuntimeAvailability {
  const available = bundleRuntimeCommands(bundles.root);
  const node = bundles.manifest.bundles['probe-local'];
  const python = bundles.manifest.bundles['probe-python'];
  if (available.commands.nodejs) available.commands.nodejs.args = [bundleFile(bundles, 'probe-local')];
  if (!node) available.problems.nodejs = 'the probe-local bundle is missing from dist/runtime/manifest.json';
  if (available.commands.python && python) available.commands.python.args = [bundleFile(bundles, 'probe-python'), '--shim'];
  if (!python) available.problems.python = 'the probe-python bundle is missing from dist/runtime/manifest.json';
  return available;
}

export function bundleHashes(bundles: RuntimeBundles): RunManifest['bundles'] {
  return {
    probe: bundles.manifest.bundles['probe-local']?.sha256 ?? null,
    driver: bundles.manifest.bundles['driver-local']?.sha256 ?? null,
    pythonProbe: bundles.manifest.bundles['probe-python']?.sha256 ?? null,
  };
}
