/**
 * Ctrl-C of `curtain run --target cloudflare` (the real `bin/curtain.js`, workerd through miniflare)
 * while the run waits between its bursts: exit 130, the run copied as far as it got and run.json
 * closed honestly (`interrupted`, the first burst's answers kept, the next burst's requests of unknown
 * fate, one record per planned request),
 * no workerd left, and the run id refused when used again. The same protections as a local run
 * (test/local/run-command.test.ts), through the same code (cli/commands/run-on-target.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../local/helpers';
import { readRecords } from '../local/support/e2e';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { workerdChildPids } from '../../stacks/cloudflare/twin/workerd-processes';
import { runInProcess } from '../cli/run-cli';
import { scratchDir } from '../support/scratch-dirs';

const REPO = path.resolve(__dirname, '..', '..');

test('Ctrl-C of a Cloudflare twin run: exit 130, run.json interrupted, answers kept, no workerd left, the id not reused', async () => {
  const out = scratchDir('curtain-twin-sigint-');
  const args = ['run', 'accounting', '--target', 'cloudflare', '--set', 'rounds=1', '--set', 'gapSeconds=120', '--set', 'memoryMb=[128]', '--set', 'backgroundMs=200'];
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'curtain.js'), ...args, '--out', out, '--run', 'stopped', '--json'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const workerds = new Set<number>();
  try {
    // The run has started in workerd and its first burst is written; the Workflow now sleeps for two minutes.
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`curtain exited (${code}) before the wait: ${stderr}`)));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/run\.json status running/.test(stderr)) {
          setTimeout(resolve, 20_000);
        }
      });
    });
    for (const pid of workerdChildPids(child.pid)) workerds.add(pid);
    expect(workerds.size).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', resolve);
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping; the twin ends its processes/);
    const summary = JSON.parse(stdout) as { status: string; runDir: string; records: number; planned: number };
    expect(summary).toMatchObject({ status: 'interrupted', records: summary.planned });
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(summary.runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('interrupted');
    expect(manifest.notes.join(' ')).toMatch(/closed by curtain run --target cloudflare .*stopped \(Ctrl-C or SIGTERM\)/);
    const records = readRecords(summary.runDir);
    expect(records).toHaveLength(summary.planned);
    expect(records.filter((r) => r.label === 'start').every((r) => r.status === 'ok')).toBe(true);
    // The records alone cannot tell whether the next burst had begun (its shard is written when it ends), so its
    // requests are of unknown fate, never claimed unsent; run.json lists them as a failure.
    const collect = records.filter((r) => r.label === 'collect');
    expect(collect.every((r) => r.status === 'error' && r.attempts === 0 && /may have been sent/.test(r.error ?? ''))).toBe(true);
    expect(manifest.failures.map((f) => f.step)).toContain(collect[0]!.step);
    for (const pid of workerds) expect(isAlive(pid)).toBe(false);
    // The run id is spent: a second run with it is refused and changes nothing.
    const again = await runInProcess([...args, '--out', out, '--run', 'stopped']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/run stopped already exists \(run\.json: interrupted\): refused/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of workerds) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}, 300_000);
