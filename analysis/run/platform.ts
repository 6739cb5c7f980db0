/**
 * Which platform a run measured and whose claims it can check. A cloud run
 * checks the claims about its own provider; a run on the embedded local
 * platform checks the claims of the platform its profile models (`aws-2018`
 * models aws) and every report says plainly that the platform was emulated.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import { CLOUD_PROVIDER_IDS, type CloudProviderId, isCloudProvider } from '../../probe-runtime/contracts/providers';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';

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
  /** The platform whose claims this run checks; null when none (an unknown local profile). */
  modelled: ClaimProvider | null;
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
}

export function platformOf(plan: StudyPlan, manifest: RunManifest | null): PlatformInfo {
  const provider = plan.provider;
  if (isCloudProvider(provider)) {
    return { provider, emulated: false, profile: null, modelled: provider, timeScale: 1, timeScaleKnown: true, cpuQuota: null, faults: [] };
  }
  const local = manifest?.local;
  const profile = local?.profile ?? null;
  const match = profile ? MODELLED_CLOUD.exec(profile) : null;
  return {
    provider,
    emulated: true,
    profile,
    modelled: match ? (match[1] as ClaimProvider) : null,
    timeScale: local?.timeScale ?? 1,
    timeScaleKnown: Boolean(local),
    cpuQuota: local?.cpuQuota ?? null,
    faults: local?.faults ?? [],
  };
}
