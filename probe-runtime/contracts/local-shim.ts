/**
 * The protocol between the local platform and one instance process (the
 * "runtime shim"). The Node shim (probe-local bundle) and the Python probe in
 * shim mode both speak it, so a local instance runs exactly the probe code
 * deployed to the clouds.
 *
 * The platform spawns the instance with its environment:
 *   CURTAIN_PROC_ROOT   the emulated host's proc tree (the probe reads <root>/stat, <root>/self/cgroup, ...)
 *   CURTAIN_SYS_ROOT    the emulated host's sys tree (hypervisor and DMI ids)
 *   CURTAIN_TMP_DIR     the instance's private /tmp
 *   CURTAIN_MEMORY_MB   configured memory
 *   CURTAIN_LOCAL_INSTANCE_ID, CURTAIN_LOCAL_FUNCTION   provider ids reported in providerIds
 *   plus the plan function's env (CURTAIN_STUDY, CURTAIN_FUNCTION, CURTAIN_TENANT, CURTAIN_GENERATION)
 *
 * Messages are single JSON lines:
 *   instance → platform, once initialised:   {"type":"ready","pid":123,"initMs":41.2}
 *   platform → instance:                     {"type":"invoke","id":7,"request":<ProbeRequest>}
 *   instance → platform:                     {"type":"result","id":7,"response":<ProbeResponse>}
 *                                        or  {"type":"result","id":7,"error":"message"}
 * One invocation at a time per instance (as on Lambda); stdout carries only
 * protocol lines, logs go to stderr. An instance may keep working after it has
 * answered (background task); whether it is frozen between invocations (SIGSTOP)
 * is the platform profile's decision, as it is the cloud's.
 */
import { z } from 'zod';

export const ShimReady = z.strictObject({ type: z.literal('ready'), pid: z.number().int(), initMs: z.number() });
export const ShimInvoke = z.strictObject({ type: z.literal('invoke'), id: z.number().int(), request: z.unknown() });
export const ShimResult = z.union([
  z.strictObject({ type: z.literal('result'), id: z.number().int(), response: z.unknown() }),
  z.strictObject({ type: z.literal('result'), id: z.number().int(), error: z.string() }),
]);
export const ShimMessage = z.union([ShimReady, ShimResult]);
export type ShimMessage = z.output<typeof ShimMessage>;
