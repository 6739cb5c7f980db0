/**
 * Issue 10, defect 10 (cdktf side), through the real cdktf CLI: `npm run
 * cdktf -- synth` (bin/cdktf.js) synthesizes without contacting HashiCorp's
 * checkpoint service (CHECKPOINT_DISABLE, which only the CLI's own environment
 * can set), and the app's progress lines are not shown as `[ERROR]` (cdktf
 * labels every stderr line so; the app writes progress to stdout). Every
 * outbound attempt of every Node process is recorded by a preloaded spy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../..');

test('npm run cdktf -- synth: no checkpoint request, curtain\'s progress lines are not errors, the stack is written', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-cdktf-cli-'));
  try {
    const spyFile = path.join(work, 'hosts.txt');
    const outdir = path.join(work, 'cdktf.out');
    const result = spawnSync('npm', ['run', '--silent', 'cdktf', '--', 'synth', '--output', outdir], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CI: 'true',
        CURTAIN_STUDY: 'accounting',
        CURTAIN_PROVIDERS: 'gcp',
        SPY_FILE: spyFile,
        NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'network-spy.cjs')}`,
        CHECKPOINT_DISABLE: '',
      },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const output = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(result.status).toBe(0);
    expect(existsSync(path.join(outdir, 'stacks', 'gcp-accounting', 'cdk.tf.json'))).toBe(true);
    const hosts = existsSync(spyFile) ? readFileSync(spyFile, 'utf8') : '';
    expect(hosts).not.toContain('checkpoint-api.hashicorp.com');
    expect(output).toContain('curtain: synthesized 1 stack(s)');
    expect(output.split('\n').filter((l) => /\[ERROR\].*curtain: /.test(l))).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 300_000);
