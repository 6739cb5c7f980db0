/**
 * `npm run build:runtime`: minified esbuild bundles (platform node, target
 * node20, CommonJS) of the probe and driver entries, a copy of the Python
 * probe, and dist/runtime/manifest.json with each bundle's size and sha256
 * (hash-dir.ts). Bundles are built into a staging directory and moved into
 * place, so a reader never sees half a bundle. A state file beside the manifest
 * lists the source files that went in, for ensureRuntimeBuilt's freshness check.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildFailure, type Message, type BuildResult } from 'esbuild';
import { BUNDLE_MANIFEST_PATH, BUNDLE_ROOT, BundleManifest } from '../contracts/bundle-manifest';
import { BUNDLE_SPECS, type BundleSpec, type CopyBundleSpec, isCopiedFile, type NodeBundleSpec } from './bundle-specs';
import { hashDirectory, listFiles } from './hash-dir';
import { zodEnglishOnly } from './zod-english-only';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const BUILD_STATE_FILE = '.build-state.json';

export class RuntimeBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeBuildError';
  }
}

export interface BuildOptions {
  /** Repository root (sources, package.json); default: this checkout. */
  root?: string;
  /** Where the bundles go; default <root>/dist/runtime. */
  outDir?: string;
  log?: (line: string) => void;
}

/** What the freshness check compares against: the build's start time and its inputs. */
export interface BuildState {
  v: 1;
  startedAt: number;
  toolVersion: string;
  /** Source files and copied directories (relative to root) that went into the bundles. */
  inputs: string[];
}

export function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function buildRuntime(options: BuildOptions = {}): Promise<BundleManifest> {
  const root = path.resolve(options.root ?? REPO_ROOT);
  const outDir = path.resolve(options.outDir ?? path.join(root, BUNDLE_ROOT));
  const log = options.log ?? (() => undefined);
  // Always every bundle: the manifest contract lists all of them, each hashed from what was just built.
  const specs = BUNDLE_SPECS;
  const startedAt = Date.now();
  const version = packageVersion(root);

  const missing = specs.filter((s) => !existsSync(path.join(root, s.kind === 'node' ? s.entry : s.from)));
  if (missing.length > 0) {
    throw new RuntimeBuildError(
      `cannot build the runtime bundles: ${missing.map((s) => `${s.name} needs ${s.kind === 'node' ? s.entry : `${s.from}/`}, which does not exist`).join('; ')}`,
    );
  }

  const staging = `${outDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // A process that exits mid-build (Ctrl-C, SIGTERM: the CLIs exit with 130) leaves no staging directory.
  const removeStaging = () => rmSync(staging, { recursive: true, force: true });
  process.once('exit', removeStaging);
  const inputs = new Set<string>();
  try {
    await Promise.all(
      specs.map(async (spec) => {
        const dir = path.join(staging, spec.name);
        const used = spec.kind === 'node' ? await bundleNode(spec, root, dir, version) : copyDirectory(spec, root, dir);
        for (const input of used) inputs.add(input);
        log(`built ${spec.name}`);
      }),
    );
    mkdirSync(outDir, { recursive: true });
    for (const spec of specs) {
      rmSync(path.join(outDir, spec.name), { recursive: true, force: true });
      renameSync(path.join(staging, spec.name), path.join(outDir, spec.name));
    }
  } finally {
    removeStaging();
    process.off('exit', removeStaging);
  }

  const manifest = describeBundles(root, outDir, version);
  writeAtomically(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const state: BuildState = {
    v: 1,
    startedAt,
    toolVersion: version,
    inputs: [...inputs].sort(),
  };
  writeAtomically(path.join(outDir, BUILD_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  return manifest;
}

async function bundleNode(spec: NodeBundleSpec, root: string, dir: string, version: string): Promise<string[]> {
  let result: BuildResult<{ metafile: true }>;
  try {
    result = await build({
      absWorkingDir: root,
      entryPoints: [path.join(root, spec.entry)],
      outfile: path.join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: spec.format ?? 'cjs',
      minify: true,
      external: spec.external,
      define: { __CURTAIN_VERSION__: JSON.stringify(version) },
      metafile: true,
      // The bundles come back in memory and are written here: esbuild's own service process would
      // otherwise write into the staging directory after this process, stopped by a signal, removed it.
      write: false,
      logLevel: 'silent',
      plugins: [zodEnglishOnly],
    });
  } catch (error) {
    const failure = error as BuildFailure;
    const messages = (failure.errors ?? []).slice(0, 3).map(formatMessage).join('; ');
    throw new RuntimeBuildError(`bundle ${spec.name} (${spec.entry}) failed: ${messages || (error as Error).message}`);
  }
  // write: false makes esbuild return every output here; none would be a bundle silently missing.
  if (!result.outputFiles?.length) throw new RuntimeBuildError(`bundle ${spec.name} (${spec.entry}): esbuild returned no output files`);
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
  if (spec.packageJson) writeFileSync(path.join(dir, 'package.json'), packageJsonFor(spec, root, version));
  return Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
}

function formatMessage(m: Message): string {
  return m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text;
}

/** main: index.js, and each external at the exact version installed here (the one the tests ran against). */
function packageJsonFor(spec: NodeBundleSpec, root: string, version: string): string {
  const dependencies = Object.fromEntries(
    spec.external.map((name) => {
      const installed = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      return [name, installed.version];
    }),
  );
  const pkg = { name: `curtain-${spec.name}`, version, private: true, description: `Curtain ${spec.name} bundle (generated by npm run build:runtime)`, main: 'index.js', dependencies };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function copyDirectory(spec: CopyBundleSpec, root: string, dir: string): string[] {
  const from = path.join(root, spec.from);
  const files = listFiles(from).filter(isCopiedFile);
  if (!files.includes(spec.entry)) throw new RuntimeBuildError(`bundle ${spec.name}: ${spec.from}/${spec.entry} does not exist`);
  const dirs = new Set<string>([spec.from]);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(path.join(from, file), path.join(dir, file));
    dirs.add(path.posix.join(spec.from, path.posix.dirname(file)));
  }
  // Directories count as inputs too: adding a file changes its directory's mtime.
  return [...dirs, ...files.map((f) => path.posix.join(spec.from, f))];
}

/** The manifest, each bundle hashed from the files on disk. */
function describeBundles(root: string, outDir: string, version: string): BundleManifest {
  const bundles = Object.fromEntries(
    BUNDLE_SPECS.map((spec) => {
      const dir = path.join(outDir, spec.name);
      return [spec.name, { dir: path.relative(root, dir).split(path.sep).join('/'), entry: entryOf(spec), ...hashDirectory(dir) }];
    }),
  );
  return BundleManifest.parse({ v: 1, tool: { name: 'curtain', version }, bundles });
}

function entryOf(spec: BundleSpec): string {
  return spec.kind === 'node' ? 'index.js' : spec.entry;
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

export { BUNDLE_MANIFEST_PATH };
