/**
 * Loads a user-written study definition from a .json, .ts or .js file.
 *
 * TypeScript and JavaScript files are compiled with esbuild (bundling relative
 * imports, leaving packages external) and evaluated; they must export the
 * definition as `default` (an object, or a function returning one) or as
 * `study`. Unreadable, empty and unparsable files give a one-line
 * InputFileError with the line and column where there is one.
 */
import { readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { InputFileError } from './errors';

export function loadDefinitionFile(file: string): unknown {
  const absolute = path.resolve(file);
  let text: string;
  try {
    if (statSync(absolute).isDirectory()) throw new InputFileError(file, 'is a directory, expected a .json, .ts or .js file');
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`);
  }
  if (text.trim() === '') throw new InputFileError(file, 'is empty; expected a study definition');

  const ext = path.extname(absolute).toLowerCase();
  if (ext === '.json') return parseJsonText(file, text);
  if (['.ts', '.mts', '.cts', '.js', '.cjs', '.mjs'].includes(ext)) return loadModule(file, absolute);
  throw new InputFileError(file, `unsupported extension "${ext || '(none)'}"; expected .json, .ts or .js`);
}

export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` at line ${line} column ${column}`;
    }
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new InputFileError(file, `not valid JSON${where}: ${reason}`);
  }
}

function loadModule(file: string, absolute: string): unknown {
  let code: string;
  try {
    const result = buildSync({
      entryPoints: [absolute],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { line: number; column: number; file: string } }[] }).errors;
    const first = errors?.[0];
    if (first) {
      const where = first.location ? ` at line ${first.location.line} column ${first.location.column + 1}` : '';
      throw new InputFileError(file, `not valid TypeScript/JavaScript${where}: ${first.text}`);
    }
    throw new InputFileError(file, `cannot be compiled: ${(error as Error).message.split('\n')[0]}`);
  }
  const mod = new Module(absolute);
  mod.filename = absolute;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(absolute));
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(code, absolute);
  } catch (error) {
    throw new InputFileError(file, `failed while loading: ${(error as Error).message.split('\n')[0]}`);
  }
  const exports = mod.exports as Record<string, unknown>;
  const exported = exports.default ?? exports.study;
  if (exported === undefined) throw new InputFileError(file, 'exports no study; use `export default { ... }` or `export const study = { ... }`');
  if (typeof exported === 'function') {
    try {
      return (exported as () => unknown)();
    } catch (error) {
      throw new InputFileError(file, `its exported function failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return exported;
}
