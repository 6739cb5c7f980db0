/**
 * Loads a user-written study definition from a .json, .ts or .js file.
 *
 * The file is read strictly (a regular file, UTF-8, a BOM dropped:
 * definition-file/read-text.ts). JSON is parsed; TypeScript and JavaScript are
 * compiled with esbuild and evaluated in a child process with a time limit
 * (definition-file/evaluate-module.ts); they export the definition as `default`
 * (an object, a function returning one, async or not) or as `study`, or a study
 * with named parameters (`defineStudy` of curtain/study). What comes back must
 * be plain data no deeper than MAX_DEFINITION_DEPTH (definition-file/plain-data.ts).
 * Named parameters are resolved with the --set values that name them
 * (definition-file/parameters.ts), and trace files of open-loop arrivals are read
 * (definition-file/trace-files.ts). Every failure is a one-line InputFileError
 * or a ValidationError naming its path.
 */
import path from 'node:path';
import { InputFileError } from './errors';
import { compileModule, evaluateModule } from './definition-file/evaluate-module';
import {
  checkDeclarations,
  type ParameterDeclarations,
  type ParameterValues,
  resolveParameterValues,
  substituteParameters,
} from './definition-file/parameters';
import { plainDataProblem } from './definition-file/plain-data';
import { readUtf8File } from './definition-file/read-text';
import { readTraceFiles } from './definition-file/trace-files';

export interface LoadedDefinition {
  /** The definition as plain data: parameters substituted, trace files read; not yet validated. */
  data: unknown;
  /** The file's parameter declarations, or null when it declares none. */
  declarations: ParameterDeclarations | null;
  /** Their values (defaults overridden by --set), or null. */
  parameterValues: ParameterValues | null;
  /** The --set keys that named parameters (the others are dotted paths into the definition). */
  consumedSets: string[];
}

const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.cjs', '.mjs'];

/** Loads a definition file; `sets` are every --set of the command (those naming declared parameters are used here). */
export function loadDefinitionFile(file: string, sets: Record<string, unknown> = {}): LoadedDefinition {
  const absolute = path.resolve(file);
  const ext = path.extname(absolute).toLowerCase();
  const text = readUtf8File(file, absolute);
  if (ext !== '.json' && !MODULE_EXTENSIONS.includes(ext)) {
    throw new InputFileError(file, `unsupported extension "${ext || '(none)'}"; expected .json, .ts or .js`);
  }
  if (text.trim() === '') throw new InputFileError(file, 'is empty; expected a study definition');
  const loaded = ext === '.json' ? loadJson(file, text, sets) : loadModule(file, absolute, sets);
  readTraceFiles(loaded.data, absolute, file);
  return loaded;
}

function loadJson(file: string, text: string, sets: Record<string, unknown>): LoadedDefinition {
  const data = parseJsonText(file, text);
  const problem = plainDataProblem(data);
  if (problem) throw new InputFileError(file, `${problem.path}: ${problem.message}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('$parameters' in data)) {
    return { data, declarations: null, parameterValues: null, consumedSets: [] };
  }
  const { $parameters, ...rest } = data as Record<string, unknown>;
  const declarations = checkDeclarations($parameters, file, '$parameters');
  const consumedSets = Object.keys(sets).filter((key) => Object.hasOwn(declarations, key));
  const parameterValues = resolveParameterValues(declarations, pick(sets, consumedSets), file);
  const substituted = substituteParameters(rest, parameterValues, file) as Record<string, unknown>;
  return { data: { ...substituted, parameters: substituted.parameters ?? parameterValues }, declarations, parameterValues, consumedSets };
}

function loadModule(file: string, absolute: string, sets: Record<string, unknown>): LoadedDefinition {
  const code = compileModule(file, absolute);
  const first = evaluateModule(file, absolute, code, null);
  if (first.kind === 'error') throw new InputFileError(file, first.message);
  if (first.kind === 'definition') return { data: first.value, declarations: null, parameterValues: null, consumedSets: [] };
  const declarations = checkDeclarations(first.declarations, file, 'parameters');
  const consumedSets = Object.keys(sets).filter((key) => Object.hasOwn(declarations, key));
  const parameterValues = resolveParameterValues(declarations, pick(sets, consumedSets), file);
  const built = evaluateModule(file, absolute, code, parameterValues);
  if (built.kind === 'error') {
    const overrides = consumedSets.length > 0 ? ` (with ${consumedSets.map((k) => `--set ${k}`).join(', ')})` : '';
    throw new InputFileError(file, `${built.message}${overrides}`);
  }
  if (built.kind !== 'definition') throw new InputFileError(file, 'its build function returned parameter declarations instead of a definition');
  const data = built.value as Record<string, unknown> | null;
  const withValues = data !== null && typeof data === 'object' && !Array.isArray(data) && data.parameters === undefined ? { ...data, parameters: parameterValues } : data;
  return { data: withValues, declarations, parameterValues, consumedSets };
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

function pick(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}
