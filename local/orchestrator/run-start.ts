import { runManifestKey } from '../../probe-runtime/contracts/bucket-layout';
import type { ResultSink } from '../../probe-runtime/driver/sinks/result-sink';

/**
 * The run's start as the driver's start-run recorded it (run.json startedAt): the
 * origin of the local platform clock (platform-clock.ts), so that waits anchored
 * to the run's start (plan waits with `untilSeconds`,
 * probe-runtime/contracts/anchored-waits.ts) end where a cloud orchestrator ends
 * them, at startedAt + untilSeconds of platform time.
 */

/** Epoch ms of the start-run summary's `startedAt`; null if it has none. */
export function runStartedAtMs(startRunSummary: unknown): number | null {
  const startedAt = (startRunSummary as { startedAt?: unknown } | null)?.startedAt;
  const ms = typeof startedAt === 'string' ? Date.parse(startedAt) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** The start run.json records for a run being resumed (start-run is not called again); null if unreadable. */
export async function storedRunStartedAtMs(sink: ResultSink, study: string, run: string): Promise<number | null> {
  try {
    const text = await sink.get(runManifestKey(study, run));
    return text === null ? null : runStartedAtMs(JSON.parse(text));
  } catch {
    return null;
  }
}
