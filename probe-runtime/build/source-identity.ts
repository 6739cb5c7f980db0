/**
 * Which code Curtain is: recorded in every run.json (`origin.source`) and in
 * replication packages, so a reviewer can get the exact tool back.
 *
 * - `sourceSha256`: sha256 over the tool's source files (SOURCE_ROOTS, walked
 *   the same way as bundle directories: `<path>\0<sha256>\n` per file in sorted
 *   order). It is the same in a git checkout and in an unpacked copy of the
 *   same code, and it changes with any edit, committed or not.
 * - `git`: the commit and its tree hash, and whether the work tree differs
 *   from it, when the tool runs from a checkout whose top level is the tool's
 *   own root (not, say, a project that vendors Curtain under node_modules).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunOrigin, SourceIdentity } from '../contracts/run-manifest';
import { REPO_ROOT } from './build-runtime';
import { hashFileList, listFiles } from './hash-dir';

/**
 * What the tool is made of: everything `curtain`, the stacks and the bundle
 * build execute, and the files that pin their dependencies. Tests, docs,
 * benchmarks and doc generators are not part of what runs a study; a test
 * checks that every top-level entry of the repository is classified here.
 */
export const SOURCE_ROOTS = [
  'analysis',
  'bin',
  'cdk.json',
  'cdktf.json',
  'cli',
  'experiments',
  'local',
  'package-lock.json',
  'package.json',
  'probe-runtime',
  'replication',
  'stacks',
  'targets',
  'tsconfig.json',
  'twins',
] as const;

/** Top-level entries that are not part of the tool (see SOURCE_ROOTS). */
export const NOT_SOURCE = ['.ci', '.dependency-cruiser.cjs', '.gitignore', 'README.md', 'bench', 'biome.jsonc', 'docs', 'jest.browser.config.js', 'jest.config.js', 'jest.e2e.config.js', 'test', 'tools'] as const;

const cache = new Map<string, SourceIdentity>();

export function sourceIdentity(root: string = REPO_ROOT): SourceIdentity {
  const key = path.resolve(root);
  const known = cache.get(key);
  if (known) return known;
  const files: string[] = [];
  for (const entry of SOURCE_ROOTS) {
    const at = path.join(key, entry);
    const info = statSync(at, { throwIfNoEntry: false });
    if (info?.isDirectory()) files.push(...listFiles(at).map((f) => `${entry}/${f}`));
    else if (info?.isFile()) files.push(entry);
  }
  const kept = files.sort();
  const identity: SourceIdentity = {
    version: (JSON.parse(readFileSync(path.join(key, 'package.json'), 'utf8')) as { version: string }).version,
    sourceSha256: hashFileList(key, kept),
    files: kept.length,
    git: gitIdentity(key),
  };
  cache.set(key, identity);
  return identity;
}

function git(root: string, args: string[]): string | null {
  const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return result.status === 0 ? result.stdout.trim() : null;
}

function gitIdentity(root: string): SourceIdentity['git'] {
  const top = git(root, ['rev-parse', '--show-toplevel']);
  if (top === null || realpathSync(top) !== realpathSync(root)) return null;
  const commit = git(root, ['rev-parse', 'HEAD']);
  const tree = git(root, ['rev-parse', 'HEAD^{tree}']);
  const status = git(root, ['status', '--porcelain', '--untracked-files=normal']);
  if (!commit || !tree || status === null) return null;
  return { commit, tree, dirty: status.length > 0 };
}

export function lockfileSha256(root: string = REPO_ROOT): string | null {
  const file = path.join(root, 'package-lock.json');
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null;
}

let pythonVersion: string | null | undefined;

/** Node's version, and python3's where it is installed (it runs the Python probe locally). */
export function runtimeVersions(): RunOrigin['runtimes'] {
  if (pythonVersion === undefined) {
    const result = spawnSync('python3', ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8', timeout: 10_000 });
    pythonVersion = result.status === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : null;
  }
  return { node: process.versions.node, python: pythonVersion };
}

/** Everything of `origin` but the options, for the code running now. */
export function currentOrigin(recordedBy: RunOrigin['recordedBy'], options: RunOrigin['options'], root: string = REPO_ROOT): RunOrigin {
  return { recordedBy, source: sourceIdentity(root), lockfileSha256: lockfileSha256(root), runtimes: runtimeVersions(), options };
}
