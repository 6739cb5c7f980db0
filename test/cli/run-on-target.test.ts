/**
 * `curtain run --target <twin>` has the local run's protections, with the same code
 * (cli/commands/run-on-target.ts): `--out` is checked before anything starts, and the run directory
 * is claimed before the twin starts, so a run id in use or already used is refused in one line and
 * nothing of the existing run changes. Each refusal comes before the twin starts (no bundles built,
 * no workerd): these tests take a second.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lockFile } from '../../local/run-state/run-dir-layout';
import { acquireRunLock } from '../../local/run-state/run-lock';
import { scratchDir } from '../support/scratch-dirs';
import { runInProcess } from './run-cli';

const TWIN = ['run', 'coldstart', '--target', 'cloudflare', '--set', 'rounds=1', '--no-report'];

test('--out naming a file is refused before the twin starts', async () => {
  const dir = scratchDir('curtain-target-out-');
  const file = path.join(dir, 'results');
  writeFileSync(file, 'not a directory');
  const result = await runInProcess([...TWIN, '--out', file]);
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(/^curtain run: --out: .*results: is a file, not a directory$/);
  expect(result.stderr).not.toMatch(/workerd/);
});

test('a run id already used is refused, and the finished run is left exactly as it was', async () => {
  const out = scratchDir('curtain-target-used-');
  const runDir = path.join(out, 'coldstart', 'r1');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'run.json'), '{"status":"completed"}');
  const result = await runInProcess([...TWIN, '--out', out, '--run', 'r1']);
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(/coldstart\/r1: run r1 already exists[^:]*: refused, a run is never overwritten; choose another --run$/);
  // No `curtain resume` hint: twins' runs are not resumed here.
  expect(result.stderr).not.toMatch(/resume/);
  expect(readdirSync(runDir)).toEqual(['run.json']);
  expect(readFileSync(path.join(runDir, 'run.json'), 'utf8')).toBe('{"status":"completed"}');
});

test('a run id in use by a live process is refused, naming it; its lock is left to it', async () => {
  const out = scratchDir('curtain-target-busy-');
  const runDir = path.join(out, 'coldstart', 'r2');
  mkdirSync(path.join(runDir, 'local-run'), { recursive: true });
  const held = acquireRunLock(runDir, 'run');
  try {
    const result = await runInProcess([...TWIN, '--out', out, '--run', 'r2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`run r2 is in progress \\(curtain run, pid ${process.pid}, since .*\\): refused; choose another --run`));
    expect(existsSync(lockFile(runDir))).toBe(true);
  } finally {
    held.release();
  }
});
