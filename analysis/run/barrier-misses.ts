/**
 * Cold starts that reached their probe only after the burst's barrier: such a
 * probe did not wait at all (released the moment it received the request), so
 * the instances of that burst were not all running together. On the emulated
 * platform the profile's start-up delays are part of the model, but process
 * starts queue on this machine's cores: when cold starts miss a barrier, the
 * machine, not the profile, limited the scale-out, and the report says so.
 */
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import { barrierWaitMs } from '../latency/phases';
import type { PlanIndex } from './plan-index';
import type { PlatformInfo } from './platform';

/** A probe that waited less than this at the barrier did not wait: it arrived after it. */
const NO_WAIT_MS = 0.5;

export class BarrierMisses {
  private cold = 0;
  private missed = 0;
  private readonly steps = new Set<string>();

  constructor(private readonly index: PlanIndex) {}

  add(record: InvocationRecord): void {
    const response = record.response;
    if (record.status !== 'ok' || !response?.instance.cold) return;
    const step = this.index.burst(record.step);
    if (!step || step.barrierMs <= 0 || response.timing.barrierReleasedAt === null) return;
    this.cold += 1;
    // The wait itself (from barrierStartedAt where the probe stamps it), not release minus receipt: that
    // includes the fingerprint the probe takes before the barrier, which may well exceed NO_WAIT_MS.
    if (barrierWaitMs(response) < NO_WAIT_MS) {
      this.missed += 1;
      this.steps.add(step.id);
    }
  }

  /** The report's warning, or null when every cold start made its barrier (or the platform is a cloud). */
  note(platform: PlatformInfo): string | null {
    if (!platform.emulated || this.missed === 0) return null;
    const steps = [...this.steps].sort();
    return (
      `Machine-limited scale-out: ${this.missed} of ${this.cold} cold starts in bursts with a barrier reached their probe after the barrier ` +
      `(${steps.slice(0, 5).join(', ')}${steps.length > 5 ? `, … ${steps.length - 5} more` : ''}), so those bursts' instances did not all run at once. ` +
      'On the emulated platform this comes from this machine (process starts queue on its cores), not from the profile: results about scale-out and ' +
      'co-location in those steps understate the profile. Run smaller bursts (--set) or give the bursts a longer barrier.'
    );
  }
}
