/**
 * `<study>/<run>/run.json`: the provenance and status of one run. Written when
 * the run starts (status `running`) and rewritten when it ends, whatever the
 * outcome: every orchestrator catches failures so the manifest is always closed.
 */
import { z } from 'zod';

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
    })
    .optional(),
});
export type RunManifest = z.output<typeof RunManifest>;
