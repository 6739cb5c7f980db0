/**
 * AWS Lambda entry (bundle probe-aws): `handler(event, context)` where the event
 * is the ProbeRequest the driver passed to Lambda Invoke. An invalid request
 * throws ProbeRequestError, which Lambda returns as a function error whose
 * errorMessage names the path; the driver records it as status `error`.
 */
import type { ProbeResponse } from '../../contracts/probe-wire';
import { createProbe } from '../probe';

// Created at module load: the instance's identity and start time belong to its init phase.
const probe = createProbe();

/** The part of Lambda's context object the probe reads. */
export interface LambdaContextLike {
  awsRequestId?: string;
}

export async function handler(event: unknown, context?: LambdaContextLike): Promise<ProbeResponse> {
  // The request id ties this record to Lambda's REPORT log line (billed duration, for E10).
  const providerIds = context?.awsRequestId ? { awsRequestId: context.awsRequestId } : undefined;
  return probe.handle(event, { providerIds });
}
