import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_NAMES, BundleManifest } from '../../../probe-runtime/contracts/bundle-manifest';
import { BUILD_STATE_FILE, buildRuntime, REPO_ROOT, RuntimeBuildError } from '../../../probe-runtime/build/build-runtime';
import { ensureRuntimeBuilt, staleReason } from '../../../probe-runtime/build/ensure-runtime-built';
import { hashDirectory, listFiles } from '../../../probe-runtime/build/hash-dir';

const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('npm run build:runtime', () => {
  let out: string;
  let manifest: BundleManifest;
  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), 'curtain-build-'));
    manifest = await buildRuntime({ outDir: path.join(out, 'runtime') });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('writes a valid manifest listing every bundle, with sizes and hashes that match the files', () => {
    const onDisk = BundleManifest.parse(JSON.parse(readFileSync(path.join(out, 'runtime', 'manifest.json'), 'utf8')));
    expect(onDisk).toEqual(manifest);
    expect(Object.keys(manifest.bundles).sort()).toEqual([...BUNDLE_NAMES].sort());
    expect(manifest.tool).toEqual({ name: 'curtain', version });
    for (const [name, bundle] of Object.entries(manifest.bundles)) {
      const dir = path.resolve(REPO_ROOT, bundle.dir);
      expect(dir).toBe(path.join(out, 'runtime', name));
      expect(existsSync(path.join(dir, bundle.entry))).toBe(true);
      expect(hashDirectory(dir)).toEqual({ bytes: bundle.bytes, sha256: bundle.sha256 });
    }
    expect(manifest.bundles['probe-python'].entry).toBe('probe.py');
  });

  test('Node bundles load and export their entry points; the version is baked in', () => {
    const load = (name: string) => require(path.join(out, 'runtime', name, 'index.js')) as Record<string, unknown>;
    expect(typeof load('probe-aws').handler).toBe('function');
    expect(typeof load('probe-gcp').probe).toBe('function');
    expect(typeof load('driver-aws').handler).toBe('function');
    expect(typeof load('driver-gcp').driver).toBe('function');
    expect(typeof load('driver-local').runLocalDriver).toBe('function');
    expect(readFileSync(path.join(out, 'runtime', 'driver-local', 'index.js'), 'utf8')).toContain(JSON.stringify(version));
  });

  test('driver-aws carries its own AWS SDK; Azure bundles pin their external packages in package.json', () => {
    const driverAws = readFileSync(path.join(out, 'runtime', 'driver-aws', 'index.js'), 'utf8');
    // Loading it from a temp directory (previous test) already proves it needs no node_modules; the only
    // package require left is the SDK's optional CRT signer, which the SDK itself guards with try/catch.
    expect(new Set(driverAws.match(/require\("@aws-sdk\/[^"]+"\)/g))).toEqual(new Set(['require("@aws-sdk/signature-v4-crt")']));
    expect(driverAws).toContain('TooManyRequestsException');
    const pkg = JSON.parse(readFileSync(path.join(out, 'runtime', 'driver-azure', 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    const installed = (name: string) => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(pkg.main).toBe('index.js');
    expect(pkg.dependencies).toEqual({ '@azure/functions': installed('@azure/functions'), 'durable-functions': installed('durable-functions') });
    expect(listFiles(path.join(out, 'runtime', 'driver-local'))).toEqual(['index.js']);
  });

  test('the same sources build to the same hashes (reproducible bundles)', async () => {
    const again = await buildRuntime({ outDir: path.join(out, 'again') });
    for (const name of BUNDLE_NAMES) expect(again.bundles[name].sha256).toBe(manifest.bundles[name].sha256);
  });

  test('a missing entry fails clearly, naming the bundle and the file', async () => {
    const fakeRoot = mkdtempSync(path.join(tmpdir(), 'curtain-noroot-'));
    try {
      writeFileSync(path.join(fakeRoot, 'package.json'), '{"version":"9.9.9"}');
      const error = await buildRuntime({ root: fakeRoot }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RuntimeBuildError);
      expect((error as Error).message).toMatch(/^cannot build the runtime bundles: probe-aws needs probe-runtime\/probe\/adapters\/aws\.ts, which does not exist;/);
      expect((error as Error).message).toContain('probe-python needs probe-runtime/python/, which does not exist');
      expect((error as Error).message).toContain('driver-local needs probe-runtime/driver/adapters/local.ts, which does not exist');
      expect(existsSync(path.join(fakeRoot, 'dist'))).toBe(false);
    } finally {
      rmSync(fakeRoot, { recursive: true, force: true });
    }
  });
});

describe('ensureRuntimeBuilt', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'curtain-ensure-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('builds once when missing (concurrent callers share one build), then returns the manifest without building', async () => {
    const outDir = path.join(out, 'runtime');
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const [a, b] = await Promise.all([ensureRuntimeBuilt({ outDir, log }), ensureRuntimeBuilt({ outDir, log })]);
    expect(a).toEqual(b);
    expect(logs.filter((l) => l.startsWith('building'))).toEqual([`building the runtime bundles into ${path.relative(REPO_ROOT, outDir)} (no complete previous build)`]);
    expect(staleReason(REPO_ROOT, outDir)).toBeNull();
    const stateBefore = readFileSync(path.join(outDir, BUILD_STATE_FILE), 'utf8');
    logs.length = 0;
    expect(await ensureRuntimeBuilt({ outDir, log })).toEqual(a);
    expect(logs).toEqual([]);
    expect(readFileSync(path.join(outDir, BUILD_STATE_FILE), 'utf8')).toBe(stateBefore);
  });

  test('rebuilds when a source is newer than the build, or a bundle is gone', async () => {
    const outDir = path.join(out, 'runtime');
    await ensureRuntimeBuilt({ outDir });
    const stateFile = path.join(outDir, BUILD_STATE_FILE);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { startedAt: number; inputs: string[] };
    expect(state.inputs).toEqual(expect.arrayContaining(['probe-runtime/driver/adapters/local.ts', 'probe-runtime/probe/adapters/aws.ts', 'probe-runtime/python/probe.py']));
    // As if every source had been edited after the last build.
    writeFileSync(stateFile, JSON.stringify({ ...state, startedAt: 0 }));
    expect(staleReason(REPO_ROOT, outDir)).toMatch(/ changed$/);
    const logs: string[] = [];
    await ensureRuntimeBuilt({ outDir, log: (l) => logs.push(l) });
    expect(logs[0]).toMatch(/^building the runtime bundles .*changed\)$/);
    expect(staleReason(REPO_ROOT, outDir)).toBeNull();
    rmSync(path.join(outDir, 'driver-local'), { recursive: true });
    expect(staleReason(REPO_ROOT, outDir)).toBe('bundle driver-local is missing');
    const rebuilt = await ensureRuntimeBuilt({ outDir });
    expect(existsSync(path.resolve(REPO_ROOT, rebuilt.bundles['driver-local'].dir, 'index.js'))).toBe(true);
  });
});
