/**
 * ensureRuntimeBuilt(): the bundle manifest, building first when dist/runtime
 * is missing, incomplete, or older than any of its sources. `curtain run` and
 * the stacks call it, so a fresh clone works without a manual build step.
 *
 * Fast when up to date: it stats only the files the last build actually used
 * (esbuild's metafile, recorded in dist/runtime/.build-state.json), plus
 * package.json, package-lock.json (dependency changes) and the build's own code.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_NAMES, BUNDLE_ROOT, BundleManifest } from '../contracts/bundle-manifest';
import { withBuildLock } from './build-lock';
import { BUILD_STATE_FILE, type BuildState, buildRuntime, packageVersion, REPO_ROOT } from './build-runtime';

export interface EnsureOptions {
  root?: string;
  outDir?: string;
  log?: (line: string) => void;
}

const ALWAYS_WATCHED = [
  'package.json',
  'package-lock.json',
  'probe-runtime/build/build-runtime.ts',
  'probe-runtime/build/bundle-specs.ts',
  'probe-runtime/build/hash-dir.ts',
  'probe-runtime/probe/bundle-entries.ts',
];

export async function ensureRuntimeBuilt(options: EnsureOptions = {}): Promise<BundleManifest> {
  const root = path.resolve(options.root ?? REPO_ROOT);
  const outDir = path.resolve(options.outDir ?? path.join(root, BUNDLE_ROOT));
  const current = upToDateManifest(root, outDir);
  if (current) return current.manifest;
  return withBuildLock(`${outDir}.lock`, async () => {
    // Another process may have built while we waited for the lock.
    const built = upToDateManifest(root, outDir);
    if (built) return built.manifest;
    options.log?.(`building the runtime bundles into ${path.relative(root, outDir) || outDir} (${staleReason(root, outDir)})`);
    return buildRuntime({ root, outDir, log: options.log });
  });
}

/** Why a rebuild is needed, or null when dist/runtime is current. */
export function staleReason(root: string, outDir: string): string | null {
  let state: BuildState;
  let manifest: BundleManifest;
  try {
    state = JSON.parse(readFileSync(path.join(outDir, BUILD_STATE_FILE), 'utf8')) as BuildState;
    manifest = BundleManifest.parse(JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')));
  } catch {
    return 'no complete previous build';
  }
  if (state.v !== 1 || !Array.isArray(state.inputs)) return 'the build state is unreadable';
  if (state.toolVersion !== packageVersion(root) || manifest.tool.version !== state.toolVersion) return 'the tool version changed';
  for (const name of BUNDLE_NAMES) {
    const entry = manifest.bundles[name];
    if (!entry || !exists(path.join(root, entry.dir, entry.entry))) return `bundle ${name} is missing`;
  }
  for (const input of [...ALWAYS_WATCHED, ...state.inputs]) {
    let mtime: number;
    try {
      mtime = statSync(path.join(root, input)).mtimeMs;
    } catch {
      return `${input} is gone`;
    }
    if (mtime >= state.startedAt) return `${input} changed`;
  }
  return null;
}

function upToDateManifest(root: string, outDir: string): { manifest: BundleManifest } | null {
  if (staleReason(root, outDir) !== null) return null;
  return { manifest: BundleManifest.parse(JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'))) };
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
