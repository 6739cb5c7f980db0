/**
 * The network interface of an emulated host: the net task's transfers of all
 * instances on one host share its bandwidth (a simple pacer: each chunk waits
 * for its slot on the host's link), so co-resident instances slow each other
 * down the way the paper's iperf3 runs did, while instances on other hosts do not.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const NET_CHUNK_BYTES = 256 * 1024;

export class HostBandwidth {
  private nextFreeAt = 0;
  private readonly bytesPerMs: number | null;

  constructor(mbps: number | null) {
    this.bytesPerMs = mbps === null ? null : (mbps * 1_000_000) / 8 / 1000;
  }

  /** Waits until `bytes` may cross the link. */
  async transmit(bytes: number): Promise<void> {
    if (this.bytesPerMs === null) return;
    const now = performance.now();
    const start = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = start + bytes / this.bytesPerMs;
    // Timers are ~1 ms coarse: only sleep when the link is booked ahead by more than that.
    const wait = this.nextFreeAt - now;
    if (wait > 1) await sleep(wait);
  }
}
