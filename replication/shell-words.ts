/**
 * Printing commands a reviewer pastes into a POSIX shell (sh, bash, zsh).
 *
 * Every argument and environment value is quoted unless it consists only of
 * characters no shell treats specially, so any value (a parameter with spaces,
 * `$`, `;`, quotes or a newline) reaches the program exactly as the argument
 * vector says. Single quotes preserve everything but a single quote, which is
 * written as '\'' (close, escaped quote, reopen): POSIX.1-2017 XCU 2.2.2-2.2.3.
 */

import type { ShellCommand } from '../targets/rerun';

export type { ShellCommand };

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteWord(word: string): string {
  // zsh expands a word that starts with `=` (=cmd is the path of cmd): quote it.
  if (PLAIN.test(word) && !word.startsWith('=')) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function renderCommand(command: ShellCommand): string {
  const env = command.env.map(([name, value]) => {
    // A name is code, not data: a bad one is a bug in a command builder.
    if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`);
    return `${name}=${quoteWord(value)}`;
  });
  return [...env, ...command.argv.map(quoteWord)].join(' ');
}
