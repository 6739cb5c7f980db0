/**
 * `<study>/<run>/twin.json`: what an offline twin (docs/twins.md) adds to the
 * run directory it fetched: the template it ran, why the run failed if it
 * did, and, per identity (a role, service account or managed identity of the
 * synthesized stack as the twin handed it to a function or the orchestrator), the cloud API calls it made with
 * their permission decisions and the granted actions no call used. The
 * report renders it as its "Cloud API calls" section (analysis/report/).
 */
import { z } from 'zod';

export const TWIN_RECORD_VERSION = 1;

export const TwinIdentityCalls = z.strictObject({
  /** What holds the identity in the run: `driver`, `orchestrator`, `workflow`, `probe`. */
  identity: z.string(),
  /** Who the provider sees: the role ARN (AWS), the service account member (Google), the managed identity's principal id (Azure). */
  principal: z.string(),
  /** Per action, the calls the synthesized policies allowed and denied. */
  actions: z.array(z.strictObject({ action: z.string(), allowed: z.number().int().min(0), denied: z.number().int().min(0) })),
  /** Every denied call, with its resource. */
  denied: z.array(z.strictObject({ action: z.string(), resource: z.string() })),
  /** Actions the role's policies allow that no call of the run used. */
  unusedGrants: z.array(z.string()),
});
export type TwinIdentityCalls = z.output<typeof TwinIdentityCalls>;

export const TwinRecord = z.strictObject({
  v: z.literal(TWIN_RECORD_VERSION),
  /** The provider whose twin ran the study. */
  target: z.string(),
  stack: z.string(),
  /** sha256 of the synthesized template the twin ran; null where the twin runs the deployment's modules without a template (Cloudflare). */
  templateHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  failures: z.array(z.string()),
  /** Empty where the twin evaluates no permissions (Cloudflare: workerd has none to evaluate). */
  identities: z.array(TwinIdentityCalls),
});
export type TwinRecord = z.output<typeof TwinRecord>;
