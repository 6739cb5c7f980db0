/**
 * SIGINT and SIGTERM where they used to be ignored or fatal (issue 14, defects 9 and 10): during
 * the runtime bundle build `curtain run` says so, exits 130 and leaves no staging directory or
 * lock; `curtain report` stops on Ctrl-C with exit 130 instead of carrying on.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../cli/main';
import { catalogPlan, SyntheticRun } from '../analysis/synthetic/synthetic-run';
import { scratchDir } from '../support/scratch-dirs';

const REPO = path.resolve(__dirname, '../..');

test.each(['SIGTERM', 'SIGINT'] as const)('%s during the bundle build: a message, exit 130, no staging directory or lock left (was: exit 143 in silence, dist/runtime.staging-* for ever)', async (signal) => {
  const parent = scratchDir('curtain-build-signal-');
  const runtimeDir = path.join(parent, 'runtime');
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'curtain.js'), 'run', 'coldstart', '--set', 'rounds=1', '--out', path.join(parent, 'out')], {
    cwd: REPO,
    env: { ...process.env, CURTAIN_RUNTIME_DIR: runtimeDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no build started: ${stderr}`)), 60_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/building the runtime bundles/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The build is under way: the staging directory exists (esbuild takes seconds for eight bundles).
    const during = readdirSync(parent);
    child.kill(signal);
    const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    expect(killedBy).toBeNull();
    expect(code).toBe(130);
    expect(stderr).toMatch(new RegExp(`curtain run: ${signal} while preparing \\(nothing was started\\): stopped`));
    expect(during.some((name) => name.startsWith('runtime.staging-') || name === 'runtime.lock')).toBe(true);
    expect(readdirSync(parent).filter((name) => name.startsWith('runtime.staging-') || name === 'runtime.lock')).toEqual([]);
    expect(existsSync(path.join(parent, 'out', 'coldstart'))).toBe(false);
  } finally {
    try {
      child.kill('SIGKILL');
    } catch {
      // exited
    }
  }
}, 90_000);

test('Ctrl-C during `curtain report`: it stops, writes no report.md and exits 130 (was: it carried on and exited 0)', async () => {
  const plan = catalogPlan('coldstart', 'local', { rounds: 2, memoryMb: [128], runtimes: ['nodejs'] });
  const run = new SyntheticRun(plan, { runId: '20261206T120000Z-sig', profile: 'aws-2018', timeScale: 20, seed: 1 });
  for (const step of run.bursts()) for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: run.instance(run.host()) });
  const dir = run.write(scratchDir('curtain-report-signal-'));
  const err: string[] = [];
  const code = await main(['report', dir], {
    out: () => undefined,
    err: (line) => {
      err.push(line);
      // The analysis has begun reading: this is where a user presses Ctrl-C.
      if (/^reading \d+ shard file/.test(line)) process.emit('SIGINT', 'SIGINT');
    },
    isTty: false,
    cwd: REPO,
  });
  expect(code).toBe(130);
  expect(err.join('\n')).toMatch(/curtain report: SIGINT: stopping the report/);
  expect(err.join('\n')).toMatch(/curtain report: stopped; report\.md was not written/);
  expect(existsSync(path.join(dir, 'report', 'report.md'))).toBe(false);
  expect(process.listenerCount('SIGINT')).toBeLessThan(5); // the command's handler is gone
});
