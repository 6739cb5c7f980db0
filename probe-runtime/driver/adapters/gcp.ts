/**
 * The driver on Google Cloud Functions (2nd gen, bundle driver-gcp): an HTTP
 * function `driver`, private (IAM), called by the study's Workflows execution
 * with an OIDC token and a DriverEvent as the JSON body. Probes are reached
 * with ID tokens from the metadata server; results go to the GCS bucket
 * CURTAIN_BUCKET. Answers: 200 with the summary; 400 for a refused event (do
 * not retry); 500 for a broken deployment or a failure (the workflow's
 * try/except records it and still closes the run).
 */
import { loadDriverSetup, type DriverSetup } from '../config/load-setup';
import { describeFailure, makeDriverDeps } from '../host';
import { createHttpInvoker } from '../invokers/http';
import { googleIdTokenAuth } from '../invokers/http-auth';
import type { Invoker } from '../invoker';
import { runDriverEvent } from '../run-driver-event';
import { gcsSinkFromEnv } from '../sinks/gcs';
import type { ResultSink } from '../sinks/result-sink';

/** The parts of the functions-framework (Express) request and response the driver uses. */
export interface HttpFunctionRequest {
  method?: string;
  body?: unknown;
}
export interface HttpFunctionResponse {
  status(code: number): HttpFunctionResponse;
  json(body: unknown): unknown;
}

let loaded: { setup: DriverSetup; invoker: Invoker; sink: ResultSink } | undefined;

function load(env: NodeJS.ProcessEnv): NonNullable<typeof loaded> {
  loaded ??= { setup: loadDriverSetup(__dirname, env), invoker: createHttpInvoker({ auth: googleIdTokenAuth(env) }), sink: gcsSinkFromEnv(env) };
  return loaded;
}

export async function driver(req: HttpFunctionRequest, res: HttpFunctionResponse): Promise<void> {
  if (req.method !== undefined && req.method !== 'POST') {
    res.status(405).json({ error: 'POST a DriverEvent as JSON' });
    return;
  }
  try {
    const { setup, invoker, sink } = load(process.env);
    res.status(200).json(await runDriverEvent(req.body, makeDriverDeps(setup, { invoker, sink })));
  } catch (error) {
    const failure = describeFailure(error);
    res.status(failure.kind === 'refused' ? 400 : 500).json({ error: failure.message, kind: failure.kind });
  }
}
