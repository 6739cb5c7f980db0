/**
 * Entry point of the `curtain` command: dispatches to a sub-command and turns
 * every expected error into a message and an exit code, never a stack trace.
 * Set CURTAIN_DEBUG=1 to see stacks of unexpected errors.
 */
import { InputFileError, PlanRefusedError, ValidationError } from '../experiments/errors';
import { UnknownStudyError } from '../experiments/resolve-study';
import { REPLICATION_ERRORS } from '../replication/errors';
import { closest } from '../experiments/suggest';
import { TargetError } from '../targets/target-errors';
import { CliError, EXIT } from './cli-error';
import type { CliIo } from './command';
import { COMMANDS } from './commands';

export function defaultIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTty: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'curtain: measure serverless platforms from the customer\'s side (a replication of "Peeking Behind the Curtains of Serverless Platforms", ATC 2018)',
    '',
    'Usage: curtain <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `curtain help <command>` for a command\'s options.',
    'Exit codes: 0 ok; 1 invalid input or usage; 2 plan over budget; 3 failed run or internal error; 130 stopped by Ctrl-C or SIGTERM.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] && COMMANDS.find((c) => c.name === rest[0]);
    io.out(topic ? topic.usage : helpText());
    return EXIT.ok;
  }
  if (name === '--version' || name === 'version') {
    io.out(require('../package.json').version as string);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const near = closest(name, COMMANDS.map((c) => c.name));
    io.err(`curtain: unknown command "${name}"${near.length ? `; did you mean "${near[0]}"?` : ''}\n\n${helpText()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CliError) {
    io.err(error.message);
    return error.exitCode;
  }
  if (error instanceof TargetError) {
    io.err(error.message);
    return error.outcome === 'failed' ? EXIT.failed : EXIT.usage;
  }
  if (
    error instanceof ValidationError ||
    error instanceof PlanRefusedError ||
    error instanceof UnknownStudyError ||
    error instanceof InputFileError ||
    REPLICATION_ERRORS.some((type) => error instanceof type)
  ) {
    io.err(`curtain: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`curtain: internal error: ${message}`);
  if (process.env.CURTAIN_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
  else io.err('(set CURTAIN_DEBUG=1 to see the stack trace, and please report it)');
  return EXIT.failed;
}
