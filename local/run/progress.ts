/**
 * The progress display of `curtain run` on stderr. On a terminal it redraws one
 * line in place; elsewhere (CI logs, pipes) it prints a plain line at most every
 * few seconds and on notable events, so logs stay short.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { OrchestratorEvent } from '../orchestrator/walk-plan';
import type { PlatformStats } from '../platform/local-platform';
import { formatSeconds } from '../time-scale';

export interface ProgressOutput {
  /** Raw text, no newline added. */
  write(text: string): void;
  isTty: boolean;
}

const REDRAW_MS = 200;
const PLAIN_EVERY_MS = 5000;

export class ProgressDisplay {
  private stats: (() => PlatformStats) | null = null;
  private step: StudyPlan['steps'][number] | null = null;
  private waitEndsAt = 0;
  private records = 0;
  private ok = 0;
  private failures = 0;
  private readonly started = Date.now();
  private lastPlain = 0;
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly plan: StudyPlan,
  ) {}

  attach(stats: () => PlatformStats): void {
    this.stats = stats;
    if (this.out.isTty && !this.timer) {
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
    }
  }

  onEvent(event: OrchestratorEvent): void {
    switch (event.kind) {
      case 'step':
        this.step = event.step;
        if (event.step.kind === 'wait') {
          // The platform clock sleeps less than the wait's scaled length: it absorbs the steps around it.
          const realMs = event.realWaitMs ?? 0;
          this.waitEndsAt = Date.now() + realMs;
          if (!this.out.isTty && realMs >= 5000) this.plain(`waiting ${formatSeconds(realMs / 1000)} (${formatSeconds(event.step.seconds)} of platform time)`);
        } else this.waitEndsAt = 0;
        break;
      case 'shard':
        this.records += event.summary.requests;
        this.ok += event.summary.counts.ok;
        break;
      case 'failure':
        this.failures += 1;
        this.note(`step ${event.failure.step}${event.failure.shard === null ? '' : ` shard ${event.failure.shard}`}: ${event.failure.message}`);
        return;
      case 'interrupted':
        this.note('interrupted: the unsent requests are recorded as skipped, every instance is being ended');
        return;
    }
    if (this.out.isTty) this.redraw();
    else if (Date.now() - this.lastPlain >= PLAIN_EVERY_MS) this.plain(this.line());
  }

  /** A message that must be seen: printed on its own line in both modes. */
  note(text: string): void {
    if (this.out.isTty) this.clear();
    this.out.write(`${text}\n`);
    if (this.out.isTty) this.redraw();
  }

  private stopped = false;

  /** Ends the display (idempotent): clears the line on a terminal, prints the last state elsewhere. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // The one-screen summary follows: no last progress line (the platform has stopped by now).
    if (this.out.isTty) this.clear();
  }

  line(): string {
    const total = this.plan.steps.length;
    const step = this.step;
    const where = step
      ? `step ${step.index + 1}/${total} ${step.kind}${step.kind === 'burst' && step.label ? ` ${step.label}` : ''}${
          step.kind === 'wait' && this.waitEndsAt > Date.now() ? ` (${formatSeconds((this.waitEndsAt - Date.now()) / 1000)} left)` : ''
        }`
      : 'starting';
    const parts = [`${this.plan.study.id}: ${where}`, `${this.records}/${this.plan.invocations} records (${this.ok} ok${this.failures ? `, ${this.failures} failures` : ''})`];
    const s = this.stats?.();
    if (s) parts.push(`${s.instances} instances${s.starting ? ` (${s.starting} starting)` : ''} on ${s.hosts} hosts`);
    parts.push(formatSeconds((Date.now() - this.started) / 1000));
    return parts.join(' · ');
  }

  private redraw(): void {
    // Cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place).
    const columns = process.stderr.columns ?? 0;
    this.out.write(`\r\x1b[2K${this.line().slice(0, columns >= 40 ? columns - 1 : 160)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private plain(text: string): void {
    this.lastPlain = Date.now();
    this.out.write(`${text}\n`);
  }
}
