/**
 * How the platform starts an instance of each runtime: the same bundles that
 * are deployed to the clouds, in their local shim mode.
 *   nodejs  node dist/runtime/probe-local/index.js
 *   python  python3 dist/runtime/probe-python/probe.py --shim
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Runtime } from '../../experiments/schema';

export interface RuntimeCommand {
  command: string;
  args: string[];
}

export type RuntimeCommands = Record<Runtime, RuntimeCommand | null>;

/** Why a runtime cannot run here, when it cannot (shown when a plan needs it). */
export interface RuntimeAvailability {
  commands: RuntimeCommands;
  problems: Partial<Record<Runtime, string>>;
}

export function bundleRuntimeCommands(repoRoot: string, bundleRoot = 'dist/runtime'): RuntimeAvailability {
  const problems: Partial<Record<Runtime, string>> = {};
  const python = resolvePythonExecutable();
  if (!python) problems.python = 'python3 was not found on PATH: it runs the Python probe of the python variants';
  return {
    commands: {
      nodejs: { command: process.execPath, args: [path.join(repoRoot, bundleRoot, 'probe-local', 'index.js')] },
      python: python ? { command: python, args: [path.join(repoRoot, bundleRoot, 'probe-python', 'probe.py'), '--shim'] } : null,
    },
    problems,
  };
}

let cachedPython: string | null | undefined;

/**
 * The real interpreter behind `python3`. Version managers put a shell script on
 * PATH (a pyenv shim costs ~130 ms per start here), which would be counted in
 * every Python cold start; the interpreter it points to starts in ~40 ms.
 */
export function resolvePythonExecutable(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  const result = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  const executable = result.status === 0 ? result.stdout.trim() : '';
  cachedPython = executable.length > 0 ? executable : null;
  return cachedPython;
}
