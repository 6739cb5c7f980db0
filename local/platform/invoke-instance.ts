/**
 * One request to one instance, bounded by the function timeout, with the
 * injected faults applied right after the request is written (before the probe
 * can answer, so a fault always bites): `crash` kills the process, `hang`
 * stops it so that only the timeout ends the request.
 */
import type { InstanceProcess, InvokeReply } from '../instances/instance-process';

export type InvocationFault = 'crash' | 'hang' | null;
export type InvocationOutcome = InvokeReply | 'timeout' | Error;

export async function invokeInstance(proc: InstanceProcess, request: unknown, timeoutMs: number, fault: InvocationFault): Promise<InvocationOutcome> {
  const reply = proc.invoke(request);
  // The reply may settle after the timeout won the race: never leave that rejection unhandled.
  reply.catch(() => undefined);
  if (fault === 'crash') proc.killNow();
  if (fault === 'hang') proc.freeze();
  let timer: NodeJS.Timeout | null = null;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([reply, timedOut]);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    if (timer) clearTimeout(timer);
  }
}
