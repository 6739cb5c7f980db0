/**
 * `<study>/<run>/run.json`: the provenance and status of one run. Written when
 * the run starts (status `running`) and rewritten when it ends, whatever the
 * outcome: every orchestrator catches failures so the manifest is always closed.
 */
import { z } from 'zod';
import { CLOUD_PROVIDER_IDS } from './providers';

export const RUN_MANIFEST_VERSION = 1;

export const RunStatus = z.enum(['running', 'completed', 'failed', 'interrupted']);
export type RunStatus = z.output<typeof RunStatus>;

/**
 * Burst shards whose driver had to be started more than once, or died after it began sending
 * (the local orchestrator records them; a cloud orchestrator's retries are in its own history).
 */
export const ShardSends = z.array(
  z.strictObject({
    step: z.number().int().min(0),
    shard: z.number().int().min(0),
    sends: z.array(
      z.strictObject({
        startedAt: z.iso.datetime(),
        /** How many of the shard's requests this driver was asked to send. */
        requests: z.number().int().min(0),
        outcome: z.enum(['written', 'died before sending', 'died after sending began', 'refused', 'unknown']),
        detail: z.string(),
      }),
    ),
    /** Requests sent again after a send whose answers were lost (their records carry `priorSends`). */
    resent: z.number().int().min(0),
    /** Requests whose fate is unknown (a driver died after sending began; not sent again): `error` records with 0 attempts. */
    unresolved: z.number().int().min(0),
  }),
);
export type ShardSends = z.output<typeof ShardSends>;

/**
 * The machine a local run ran on, measured by the local platform during the run: what bounds
 * a latency from below here (no-op requests through the platform with no profile behaviour)
 * and how loaded the machine was. The analysis judges latency verdicts with them
 * (docs/analysis.md "Verdicts").
 */
export const MachineReport = z.strictObject({
  cpus: z.number().int().min(1),
  /** Null when the plan reports no latency (the floor is then not measured). */
  floor: z
    .strictObject({
      /**
       * Median platform latency (round trip minus the probe's handler time) of a no-op request that
       * starts a fresh instance, through this platform with no profile behaviour, ms, per runtime the plan uses.
       */
      coldStartMs: z.record(z.string(), z.number().min(0)),
      /** The same for a no-op request to a warm instance, ms. */
      warmMs: z.number().min(0),
      /** Requests sent at once: the plan's widest burst (capped). */
      concurrency: z.number().int().min(1),
      /** Warm measurements (half before the run, half after). */
      samples: z.number().int().min(1),
    })
    .nullable(),
  load: z.strictObject({
    /** One-minute load average sampled during the run. */
    loadAverage: z.strictObject({ median: z.number().min(0), max: z.number().min(0) }),
    /** Fraction of all cores busy over the run (from /proc/stat), null where unreadable. */
    busyFraction: z.number().min(0).max(1).nullable(),
    samples: z.number().int().min(0),
  }),
});
export type MachineReport = z.output<typeof MachineReport>;

/** A profile knob that sets the run value of metrics directly, so claims on them are judged "by construction". */
export const ConstructedMetrics = z.strictObject({
  knob: z.string().min(1),
  /** The knob's value, as JSON. */
  value: z.string(),
  metrics: z.array(z.string().min(1)).min(1),
});
export type ConstructedMetrics = z.output<typeof ConstructedMetrics>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Which code made the run. `sourceSha256` is computed the same way in a git
 * checkout and in an installed copy (probe-runtime/build/source-identity.ts),
 * so the two can be compared; `git` is null outside a checkout.
 */
export const SourceIdentity = z.strictObject({
  version: z.string(),
  sourceSha256: sha256,
  files: z.number().int().min(0),
  git: z
    .strictObject({
      commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
      tree: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
      /** Uncommitted changes or untracked files: the commit alone does not give this code back (sourceSha256 does). */
      dirty: z.boolean(),
    })
    .nullable(),
});
export type SourceIdentity = z.output<typeof SourceIdentity>;

/** How the study was named: a catalog id (its parameters are in plan.json) or a definition file. */
export const StudyReference = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('catalog'), id: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/) }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1), sha256 }),
]);
export type StudyReference = z.output<typeof StudyReference>;

/** Every option of `curtain run`, as they took effect (defaults filled in). */
export const LocalRunOptions = z.strictObject({
  target: z.literal('local'),
  study: StudyReference,
  /** --set pairs, `name=value`, in order. */
  set: z.array(z.string()),
  profile: z.string(),
  /** --profile-set pairs: the profile note and the claims are judged with them applied. */
  profileSet: z.array(z.string()),
  /** --fault pairs (the profile's own faults are part of the profile). */
  fault: z.array(z.string()),
  seed: z.number().int().min(0),
  timeScale: z.number().positive(),
  /** Whether --time-scale was given (otherwise the per-plan default was used). */
  timeScaleGiven: z.boolean(),
  maxInvocations: z.number().int().positive().nullable(),
  cpuQuota: z.enum(['auto', 'off']),
  /** --io-limit (per-host disk limits); runs recorded before it existed had it on where the machine allowed. */
  ioLimit: z.enum(['auto', 'off']).default('auto'),
  /** --bundles as given; null: the checkout's own dist/runtime. */
  bundles: z.string().nullable(),
});

/** What the deployment of a cloud run was synthesized with (`cdk -c ...`, the cdktf environment). */
export const CloudDeployOptions = z.strictObject({
  target: z.enum(CLOUD_PROVIDER_IDS),
  study: StudyReference,
  set: z.array(z.string()),
  region: z.string(),
  hosting: z.string(),
  /** -c budget / CURTAIN_MAX_USD; null: the definition's budget. */
  maxUsd: z.number().positive().nullable(),
  /** A second tenant in another account (AWS -c tenantB); null where synthesis cannot know (Terraform variables). */
  secondTenantAccount: z.boolean().nullable(),
  /** -c bundleRoot / CURTAIN_BUNDLE_ROOT; null: the checkout's own dist/runtime. */
  bundleRoot: z.string().nullable(),
  /** Further options as given (e.g. bucketRemoval, driverConcurrency), name → value. */
  other: z.record(z.string(), z.string()),
});

export const RunOptions = z.union([LocalRunOptions, CloudDeployOptions]);
export type RunOptions = z.output<typeof RunOptions>;

/** Provenance beyond the plan: the code, its dependencies, the runtimes and every option. */
export const RunOrigin = z.strictObject({
  /** Where it was recorded: `curtain run` (local) or the synthesis of the deployment (clouds). */
  recordedBy: z.enum(['run', 'synth']),
  source: SourceIdentity,
  /** sha256 of package-lock.json: every dependency's exact version. */
  lockfileSha256: sha256.nullable(),
  /** Versions on the machine that recorded it (cloud runtimes are in plan.json's functions). */
  runtimes: z.strictObject({ node: z.string(), python: z.string().nullable() }),
  options: RunOptions,
});
export type RunOrigin = z.output<typeof RunOrigin>;

export const RunManifest = z.strictObject({
  v: z.literal(RUN_MANIFEST_VERSION),
  study: z.string(),
  run: z.string(),
  provider: z.string(),
  region: z.string(),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  tool: z.strictObject({ name: z.literal('curtain'), version: z.string() }),
  /** sha256 of the deployed bundles (dist/runtime/manifest.json), null where not used. */
  bundles: z.strictObject({
    probe: z.string().nullable(),
    driver: z.string().nullable(),
    pythonProbe: z.string().nullable(),
  }),
  /** sha256 of the synthesized template (CloudFormation / Terraform JSON); null on the local platform. */
  templateHash: z.string().nullable(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  status: RunStatus,
  stepsTotal: z.number().int().min(0),
  stepsCompleted: z.number().int().min(0),
  /** Steps that failed as a whole (a driver shard that died, an update that did not apply); step -1 is the run as a whole. */
  failures: z.array(z.strictObject({ step: z.number().int(), shard: z.number().int().nullable(), message: z.string() })),
  shardSends: ShardSends.optional(),
  /** Each `curtain resume` of the run: when, from which step, on a new platform, and whether lost sends were re-sent. */
  resumes: z.array(z.strictObject({ at: z.iso.datetime(), fromStep: z.number().int().min(0), resend: z.boolean() })).optional(),
  notes: z.array(z.string()),
  /** Present for runs on the embedded local platform. */
  local: z
    .strictObject({
      profile: z.string(),
      /** Waits and platform timers ran this many times faster than real time; latencies are never scaled. */
      timeScale: z.number().positive(),
      cpuQuota: z.strictObject({ applied: z.boolean(), reason: z.string().nullable() }),
      faults: z.array(z.string()),
      // Added after the first release (optional, so earlier run.json files stay valid):
      /** When the modelled platform is from, `YYYY-MM` (the billing rules of that time apply); absent for the present. */
      modelsAsOf: z.string().regex(/^\d{4}-\d{2}$/).optional(),
      /** Metrics whose value the profile sets directly through a knob (local/profiles.ts `determines`). */
      constructed: z.array(ConstructedMetrics).optional(),
      /** This machine's latency floor and load during the run. */
      machine: MachineReport.optional(),
    })
    .optional(),
  /** Absent in run.json files written before Curtain recorded it (they still read). */
  origin: RunOrigin.optional(),
});
export type RunManifest = z.output<typeof RunManifest>;
