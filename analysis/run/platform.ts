/**
 * Which platform a run measured and whose claims it can check. A cloud run
 * checks the claims about its own provider; a run on the embedded local
 * platform checks the claims of the platform its profile models (`aws-2018`
 * models aws) and every report says plainly that the platform was emulated.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { ProviderId } from '../../experiments/schema';
import { CLOUD_PROVIDER_IDS, type CloudProviderId, isCloudProvider } from '../../probe-runtime/contracts/providers';
import type { MachineReport, RunManifest } from '../../probe-runtime/contracts/run-manifest';

export type ClaimProvider = CloudProviderId;

/** A local profile named after a cloud (`aws-2018`, `gcp`) models that cloud. */
const MODELLED_CLOUD = new RegExp(`^(${CLOUD_PROVIDER_IDS.join('|')})(-|$)`);

/** How reports name each provider's platform. */
export const PROVIDER_NAMES: Record<string, string> = { aws: 'AWS Lambda', azure: 'Azure Functions', gcp: 'Google Cloud Functions', local: 'the embedded local platform' };

export interface PlatformInfo {
  /** The provider the run was planned for (`local` for the embedded platform). */
  provider: string;
  emulated: boolean;
  /** Local platform profile, e.g. `aws-2018`; null on clouds or when run.json is missing. */
  profile: string | null;
  /** The platform whose claims this run checks; null when none (an unknown local profile, a twin run). */
  modelled: ClaimProvider | null;
  /**
   * The offline twin that made the run (its target, from twin.json), or null. A twin runs the cloud's
   * artifacts but its probes run on this machine (the embedded platform, or workerd), so what it
   * measures is not the cloud's behaviour: no published claim about the cloud applies (docs/twins.md).
   */
  twin: string | null;
  /**
   * Waits and platform timers ran this many times faster than real time (local runs).
   * Durations of platform behaviour measured from timestamps (lifetimes, idle gaps,
   * time since an update) are multiplied by it to report emulated time; latencies are not.
   */
  timeScale: number;
  /** False when a local run's run.json is missing, so the scale is assumed to be 1. */
  timeScaleKnown: boolean;
  cpuQuota: { applied: boolean; reason: string | null } | null;
  faults: string[];
  /**
   * Driver and probes read one machine clock (the local platform), so phases that subtract a
   * driver time from a probe time are valid; on a cloud they run on different machines.
   */
  sharedClock: boolean;
  /** Whose duration billing applies and as of when (experiments/billed-duration.ts). */
  billing: { provider: ProviderId; asOf: string };
  /** Metric → the profile knob that sets its value directly (local runs; run.json `local.constructed`). */
  constructed: Map<string, { knob: string; value: string }>;
  /** The machine's latency floor and load during a local run, when run.json has them. */
  machine: MachineReport | null;
}

export function platformOf(plan: StudyPlan, manifest: RunManifest | null, twin: string | null = null): PlatformInfo {
  const provider = plan.provider;
  if (isCloudProvider(provider)) {
    return {
      provider,
      emulated: false,
      profile: null,
      modelled: twin === null ? provider : null,
      twin,
      timeScale: 1,
      timeScaleKnown: true,
      cpuQuota: null,
      faults: [],
      sharedClock: false,
      billing: { provider, asOf: manifest?.startedAt ?? new Date().toISOString() },
      constructed: new Map(),
      machine: null,
    };
  }
  const local = manifest?.local;
  const profile = local?.profile ?? null;
  const match = profile ? MODELLED_CLOUD.exec(profile) : null;
  const modelled = match ? (match[1] as ClaimProvider) : null;
  const constructed = new Map<string, { knob: string; value: string }>();
  for (const c of local?.constructed ?? []) for (const metric of c.metrics) constructed.set(metric, { knob: c.knob, value: c.value });
  return {
    provider,
    emulated: true,
    profile,
    modelled,
    twin: null,
    timeScale: local?.timeScale ?? 1,
    timeScaleKnown: Boolean(local),
    cpuQuota: local?.cpuQuota ?? null,
    faults: local?.faults ?? [],
    sharedClock: true,
    // A profile bills like the platform it models, as of the time it models; one that models none bills like the local platform.
    billing: { provider: modelled ?? 'local', asOf: local?.modelsAsOf ?? manifest?.startedAt ?? new Date().toISOString() },
    constructed,
    machine: local?.machine ?? null,
  };
}
