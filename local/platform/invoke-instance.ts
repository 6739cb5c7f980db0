/**
 * One request to one instance, bounded by the function timeout, with the
 * injected faults: `crash` kills the process as the request reaches it, `hang`
 * leaves it stopped so that only the timeout ends the request. Either way the
 * process is stopped (SIGSTOP) before the request is written: a probe on
 * another core answers a noop within microseconds, so writing first and
 * killing after let some "crashed" requests answer ok (1 in 56 once).
 */
import type { InstanceProcess, InvokeReply } from '../instances/instance-process';

export type InvocationFault = 'crash' | 'hang' | null;
export type InvocationOutcome = InvokeReply | 'timeout' | Error;

export async function invokeInstance(proc: InstanceProcess, request: unknown, timeoutMs: number, fault: InvocationFault): Promise<InvocationOutcome> {
  if (fault !== null) proc.freeze();
  const reply = proc.invoke(request);
  // The reply may settle after the timeout won the race: never leave that rejection unhandled.
  reply.catch(() => undefined);
  if (fault === 'crash') proc.killNow();
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
