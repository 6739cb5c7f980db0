/** Helpers to run the CLI: in-process (fast) or as the real `bin/curtain.js` process. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../cli/main';

export const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(args: string[], cwd = ROOT): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    isTty: false,
    cwd,
  });
  return { code, stdout, stderr };
}

export function runBin(args: string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/curtain.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
