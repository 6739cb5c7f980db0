/**
 * Runs in a child process (see evaluate-module.ts): evaluates one compiled
 * .ts/.js study file and answers on stdout with one JSON object, either the
 * definition (plain data, checked), the file's parameter declarations, or an
 * error message. The parent gives it a time limit, so an endless loop in a
 * study file costs a few seconds, not a hung command.
 *
 * The study's own output (console.log, process.stdout) goes to stderr, so it can
 * never be mistaken for the answer. This file is bundled on its own (no package
 * imports), so the child starts as fast as a bare node process.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { plainDataProblem } from './plain-data';

interface ChildInput {
  code: string;
  filename: string;
  /** node_modules directories searched after the study file's own (the repository's: zod for helpers). */
  extraModulePaths: string[];
  /** null: report declarations if the file has parameters; else build with these values. */
  params: Record<string, unknown> | null;
}

export type ChildAnswer =
  | { kind: 'definition'; value: unknown }
  | { kind: 'declarations'; declarations: unknown }
  | { kind: 'error'; message: string };

const writeAnswer = process.stdout.write.bind(process.stdout);

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!;
}

/** A parameterised study: `defineStudy({ parameters, build })` of curtain/study, or `export const parameters` + a default function. */
interface Parameterised {
  parameters: unknown;
  build: (params: Record<string, unknown>) => unknown;
}

function parameterised(exports: Record<string, unknown>, exported: unknown): Parameterised | null {
  if (exported !== null && typeof exported === 'object' && (exported as { __curtainUserStudy?: unknown }).__curtainUserStudy === 1) {
    const study = exported as Parameterised;
    if (typeof study.build !== 'function') throw new Error('defineStudy(...) needs a build function');
    return study;
  }
  if (typeof exported === 'function' && exports.parameters !== undefined) return { parameters: exports.parameters, build: exported as Parameterised['build'] };
  return null;
}

async function evaluate(input: ChildInput): Promise<ChildAnswer> {
  const mod = new Module(input.filename);
  mod.filename = input.filename;
  const own = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(input.filename));
  mod.paths = [...own, ...input.extraModulePaths];
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(input.code, input.filename);
  } catch (error) {
    return { kind: 'error', message: `failed while loading: ${firstLine(error)}` };
  }
  const exports = mod.exports as Record<string, unknown>;
  const exported = exports.default ?? exports.study;
  if (exported === undefined) return { kind: 'error', message: 'exports no study; use `export default { ... }` or `export const study = { ... }`' };

  let study: Parameterised | null;
  try {
    study = parameterised(exports, exported);
  } catch (error) {
    return { kind: 'error', message: firstLine(error) };
  }
  let value: unknown;
  if (study && input.params === null) {
    const problem = plainDataProblem(study.parameters);
    if (problem) return { kind: 'error', message: `its parameters: ${problem.path}: ${problem.message}` };
    return { kind: 'declarations', declarations: study.parameters };
  }
  try {
    if (study) value = study.build(input.params ?? {});
    else value = typeof exported === 'function' ? (exported as () => unknown)() : exported;
    // An async study (an async function, or a Promise as the export) is awaited.
    if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') value = await value;
  } catch (error) {
    return { kind: 'error', message: `its ${study ? 'build' : 'exported'} function failed: ${firstLine(error)}` };
  }
  const problem = plainDataProblem(value);
  if (problem) return { kind: 'error', message: `the definition it exports: ${problem.path}: ${problem.message}` };
  return { kind: 'definition', value };
}

function main(): void {
  // The study's own printing goes to stderr; stdout carries only the answer.
  const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let input: ChildInput;
  try {
    input = JSON.parse(readFileSync(0, 'utf8')) as ChildInput;
  } catch (error) {
    writeAnswer(JSON.stringify({ kind: 'error', message: `internal: bad input to the loader (${firstLine(error)})` }), () => process.exit(0));
    return;
  }
  // A promise that never settles with nothing left to run: Node would just exit without an answer.
  let answered = false;
  process.on('beforeExit', () => {
    if (answered) return;
    answered = true;
    writeAnswer(JSON.stringify({ kind: 'error', message: 'its exported promise never settles (nothing was left to run when the loader waited for it)' }), () => process.exit(0));
  });
  void evaluate(input)
    .catch((error: unknown): ChildAnswer => ({ kind: 'error', message: firstLine(error) }))
    .then((answer) => {
      answered = true;
      let text: string;
      try {
        text = JSON.stringify(answer);
      } catch (error) {
        text = JSON.stringify({ kind: 'error', message: `its definition cannot be written as JSON: ${firstLine(error)}` });
      }
      // Exit once the answer is out: timers the study left running must not keep the process alive.
      writeAnswer(text, () => process.exit(0));
    });
}

main();
