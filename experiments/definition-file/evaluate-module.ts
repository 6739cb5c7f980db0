/**
 * Loads a .ts/.js study file: compiles it with esbuild (bundling its relative
 * imports and the study helpers, leaving other packages external), then
 * evaluates it in a child process with a time limit (module-child.ts). A study
 * file is code: an endless loop, a never-settling promise or a crash must cost a
 * few seconds and one clear line, never a hung or crashed command.
 *
 * Helpers: `import { defineStudy, param } from 'curtain/study'` resolves to
 * experiments/study-kit.ts of this installation wherever the file lives, and
 * packages the helpers use (zod) resolve from this installation's node_modules
 * when the file's own directory has none.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { InputFileError } from '../errors';
import type { ChildAnswer } from './module-child';

const REPO_ROOT = path.resolve(__dirname, '../..');

/** The import path of the study helpers, and the file it names. */
export const STUDY_KIT_IMPORT = 'curtain/study';
const STUDY_KIT_FILE = path.join(REPO_ROOT, 'experiments/study-kit.ts');

/** Default limit on evaluating a study file, seconds; CURTAIN_LOAD_TIMEOUT_SECONDS overrides it. */
export const DEFAULT_LOAD_TIMEOUT_SECONDS = 10;

export function loadTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env.CURTAIN_LOAD_TIMEOUT_SECONDS);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_LOAD_TIMEOUT_SECONDS;
}

let childSource: string | undefined;

/** module-child.ts as one script (it imports no packages), compiled once per process. */
function childScript(): string {
  childSource ??= buildSync({
    entryPoints: [path.join(__dirname, 'module-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return childSource;
}

export function compileModule(file: string, absolute: string): string {
  try {
    const result = buildSync({
      entryPoints: [absolute],
      bundle: true,
      packages: 'external',
      alias: { [STUDY_KIT_IMPORT]: STUDY_KIT_FILE },
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { line: number; column: number; file: string } }[] }).errors;
    const first = errors?.[0];
    if (first) {
      const where = first.location ? ` at line ${first.location.line} column ${first.location.column + 1}` : '';
      throw new InputFileError(file, `not valid TypeScript/JavaScript${where}: ${first.text}`);
    }
    throw new InputFileError(file, `cannot be compiled: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Evaluates compiled study code. `params` null: the answer is the definition, or the file's
 * parameter declarations when it has any; otherwise the definition built with these values.
 */
export function evaluateModule(file: string, absolute: string, code: string, params: Record<string, unknown> | null): ChildAnswer {
  const timeoutSeconds = loadTimeoutSeconds();
  const input = JSON.stringify({ code, filename: absolute, extraModulePaths: [path.join(REPO_ROOT, 'node_modules')], params });
  const result = spawnSync(process.execPath, ['-e', childScript()], {
    input,
    encoding: 'utf8',
    cwd: path.dirname(absolute),
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
    env: process.env,
  });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (timedOut) {
    throw new InputFileError(
      file,
      `did not finish loading within ${timeoutSeconds} s (an endless loop, or a promise that never settles?); loading a .ts/.js study is limited to ${timeoutSeconds} s (CURTAIN_LOAD_TIMEOUT_SECONDS changes the limit)`,
    );
  }
  if (result.error) throw new InputFileError(file, `could not be loaded: ${result.error.message}`);
  let answer: ChildAnswer | null = null;
  try {
    answer = JSON.parse(result.stdout) as ChildAnswer;
  } catch {
    answer = null;
  }
  if (!answer) {
    const why = result.signal ? `killed by ${result.signal}` : `exited with code ${result.status}`;
    const detail = lastLine(result.stderr);
    throw new InputFileError(file, `crashed while loading (${why})${detail ? `: ${detail}` : ''}`);
  }
  return answer;
}

function lastLine(text: string | null): string {
  const lines = (text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^(\w*Error|FATAL ERROR)/.test(l));
  return error ?? lines[lines.length - 1] ?? '';
}
