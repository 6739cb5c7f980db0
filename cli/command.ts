/** What every `curtain` sub-command implements; commands are listed in cli/commands/index.ts. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress displays redraw in place only then). */
  isTty: boolean;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `curtain help`. */
  summary: string;
  /** The usage block printed by `curtain help <name>` and on usage errors. */
  usage: string;
  /** Returns the process exit code; throws CliError / ValidationError for bad input. */
  run(args: string[], io: CliIo): Promise<number>;
}
