/**
 * Invokes probes through Workers service bindings: the driver Worker holds one
 * binding per probe script (deployment.json's target for a function is the
 * binding's name), and `binding.fetch()` reaches the probe inside Cloudflare's
 * network without a public route, so only the driver can call a probe. The
 * answer is classified as every HTTP invoker's is (classifyHttpAnswer).
 */
import { errorText, truncateText } from '../errors';
import type { InvokeAttempt, InvokeOutcome, Invoker } from '../invoker';
import { classifyHttpAnswer } from './http';

/** What a service binding offers (Workers' `Fetcher`). */
export interface ServiceBinding {
  fetch(input: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }): Promise<{ status: number; text(): Promise<string>; headers: { get(name: string): string | null } }>;
}

export function createServiceBindingInvoker(bindings: (name: string) => ServiceBinding | undefined): Invoker {
  return {
    name: 'service-binding',
    async invoke(attempt: InvokeAttempt): Promise<InvokeOutcome> {
      const binding = bindings(attempt.address);
      if (!binding) return { kind: 'failure', status: 'error', error: `no service binding ${attempt.address} for ${attempt.functionKey}`, transportStatus: null };
      try {
        // The host name is ignored by a service binding; the path and method are the probe's.
        const res = await binding.fetch('https://probe.internal/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: attempt.body(), signal: attempt.signal });
        return classifyHttpAnswer(res.status, await res.text(), res.headers.get('retry-after') ?? undefined);
      } catch (error) {
        if (attempt.signal.aborted) return { kind: 'failure', status: 'timeout', error: 'the attempt timed out', transportStatus: null };
        return { kind: 'failure', status: 'error', error: truncateText(errorText(error), 500), transportStatus: null };
      }
    },
  };
}
