/**
 * Ctrl-C (SIGINT) and SIGTERM for commands that run long (`run`, `resume`,
 * `report`). While a command is preparing (building the runtime bundles:
 * nothing has started that needs stopping) a signal ends it at once with a
 * message and exit 130; the build removes its staging directory on exit. Once
 * it runs, the first signal asks it to stop cleanly (the signal's `aborted`),
 * and a second one exits at once (exit handlers SIGKILL child processes, and
 * the run's watchdog closes what is left).
 */
import { EXIT } from './cli-error';

export class StopSignals {
  private readonly controller = new AbortController();
  private phase: 'preparing' | 'running' = 'preparing';
  private count = 0;
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(
    private readonly command: string,
    private note: (text: string) => void,
    private readonly preparing = 'before anything started',
  ) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** From now on the first signal stops the command cleanly; `note` prints where the command's output goes. */
  running(note?: (text: string) => void, message = 'stopping; every instance will be ended and run.json closed (again to stop at once)'): void {
    this.phase = 'running';
    if (note) this.note = note;
    this.stopMessage = message;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  private stopMessage = '';

  private onSignal(signal: NodeJS.Signals): void {
    this.count += 1;
    if (this.phase === 'preparing') {
      this.note(`curtain ${this.command}: ${signal} ${this.preparing}: stopped`);
      process.exit(EXIT.interrupted);
    }
    if (this.count === 1) {
      this.note(`curtain ${this.command}: ${signal}: ${this.stopMessage}`);
      this.controller.abort(new Error(`stopped by ${signal}`));
    } else process.exit(EXIT.interrupted);
  }
}
