/**
 * Every target's trace runner, for the shared orchestrator conformance check
 * (../orchestrator-conformance.test.ts). A total record over the provider ids:
 * a new provider does not compile until it says how its orchestrator is
 * executed here (an emulator, an evaluator of its definition language, a fake
 * runtime context), and is then checked by the same test as the others.
 */
import type { ProviderId } from '../../../probe-runtime/contracts/providers';
import { aslTraceRunner } from './aws';
import { durableTraceRunner } from './azure';
import { workflowTraceRunner } from './cloudflare';
import { workflowsTraceRunner } from './gcp';
import { localWalkerTraceRunner } from './local';
import type { TraceRunner } from './trace-runner';

export const TRACE_RUNNERS: Record<ProviderId, TraceRunner> = {
  aws: aslTraceRunner,
  azure: durableTraceRunner,
  gcp: workflowsTraceRunner,
  cloudflare: workflowTraceRunner,
  local: localWalkerTraceRunner,
};
