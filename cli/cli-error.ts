/** An error the CLI prints as one message (no stack trace) and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes shared by every command (documented in the README). */
export const EXIT = {
  ok: 0,
  /** Invalid input or usage: bad options, invalid definitions, unknown studies, refused plans. */
  usage: 1,
  /** A plan refused for exceeding its budget. */
  overBudget: 2,
  /** A run that finished but with failures the user asked to treat as errors, or an internal error. */
  failed: 3,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report a death by SIGINT. */
  interrupted: 130,
} as const;
