/**
 * A small POSIX shell-word parser for the tests (POSIX.1-2017 XCU 2.2 quoting,
 * 2.3 token recognition, 2.9.1 leading variable assignments): unquoted text,
 * backslash escapes, single quotes (everything literal) and double quotes
 * (backslash escapes only $ ` " \ and newline). It refuses what would make a
 * printed command do more than run one program: unquoted operators
 * (; & | < > ( )), expansions ($, `) and globbing (* ? [) outside quotes, and
 * $ or ` inside double quotes. Written independently of shell-words.ts, so a
 * quoting mistake there is caught here.
 */
export interface ParsedCommand {
  env: [string, string][];
  argv: string[];
}

export function parseShellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const add = (text: string) => {
    word = (word ?? '') + text;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== null) words.push(word);
      word = null;
      i += 1;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unterminated single quote at ${i}`);
      add(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= line.length) throw new Error(`unterminated double quote at ${i}`);
        const d = line[j]!;
        if (d === '"') break;
        if (d === '$' || d === '`') throw new Error(`expansion inside double quotes at ${j}`);
        if (d === '\\' && '$`"\\\n'.includes(line[j + 1] ?? '')) {
          text += line[j + 1];
          j += 2;
        } else {
          text += d;
          j += 1;
        }
      }
      add(text);
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('a trailing backslash');
      add(line[i + 1]!);
      i += 2;
    } else if (';&|<>()'.includes(c) || c === '\n') {
      throw new Error(`unquoted operator ${JSON.stringify(c)} at ${i}`);
    } else if ('$`*?['.includes(c)) {
      throw new Error(`unquoted expansion or pattern ${JSON.stringify(c)} at ${i}`);
    } else if (c === '#' && word === null) {
      throw new Error(`a comment at ${i}`);
    } else if ((c === '~' || c === '=') && word === null) {
      throw new Error(`a word starting with ${c} (tilde or zsh = expansion) at ${i}`);
    } else {
      add(c);
      i += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Leading NAME=value words are assignments (XCU 2.9.1); the rest is the command. */
export function parseCommandLine(line: string): ParsedCommand {
  const words = parseShellWords(line);
  const env: [string, string][] = [];
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
    const w = words.shift()!;
    const eq = w.indexOf('=');
    env.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  return { env, argv: words };
}
