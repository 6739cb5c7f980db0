/**
 * The driver on AWS Lambda (bundle driver-aws), invoked by the study's Step
 * Functions state machine with a DriverEvent. plan.json and deployment.json sit
 * beside this file in the bundle (or CURTAIN_PLAN_FILE / CURTAIN_DEPLOYMENT_FILE);
 * results go to the S3 bucket CURTAIN_BUCKET (SSE-KMS with CURTAIN_KMS_KEY_ID,
 * else SSE-S3). Errors are thrown: their `name` (DriverRefusedError,
 * DriverConfigError, others) is what the state machine's Catch matches.
 */
import { loadDriverSetup, requireEnv, type DriverSetup } from '../config/load-setup';
import { burstReserveMs, makeDriverDeps, stopBeforeDeadline } from '../host';
import { createLambdaInvoker } from '../invokers/lambda';
import type { Invoker } from '../invoker';
import { runDriverEvent, type DriverSummary } from '../run-driver-event';
import { createS3Sink } from '../sinks/s3';
import type { ResultSink } from '../sinks/result-sink';
import { requireTlsUnlessLoopback } from '../net/http-request';

interface LambdaContext {
  getRemainingTimeInMillis?(): number;
}

// Loaded once per driver instance: warm invocations reuse the plan, clients and sockets.
let loaded: { setup: DriverSetup; invoker: Invoker; sink: ResultSink } | undefined;

function load(env: NodeJS.ProcessEnv): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const setup = loadDriverSetup(__dirname, env);
  // Endpoint overrides exist for loopback emulators in tests only; anything else must be TLS.
  const endpoint = (name: string) => {
    const value = env[name];
    if (value) requireTlsUnlessLoopback(new URL(value), name);
    return value;
  };
  const s3Endpoint = endpoint('CURTAIN_S3_ENDPOINT');
  const lambdaEndpoint = endpoint('CURTAIN_LAMBDA_ENDPOINT');
  loaded = {
    setup,
    invoker: createLambdaInvoker({ region: env.AWS_REGION ?? setup.deployment.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }),
    sink: createS3Sink({
      bucket: requireEnv(env, 'CURTAIN_BUCKET', 'the results bucket'),
      region: env.AWS_REGION ?? setup.deployment.region,
      ...(env.CURTAIN_KMS_KEY_ID ? { kmsKeyId: env.CURTAIN_KMS_KEY_ID } : {}),
      ...(s3Endpoint ? { endpoint: s3Endpoint } : {}),
    }),
  };
  return loaded;
}

export async function handler(event: unknown, context: LambdaContext = {}): Promise<DriverSummary> {
  const { setup, invoker, sink } = load(process.env);
  const remaining = context.getRemainingTimeInMillis?.();
  const deadline = remaining === undefined ? undefined : stopBeforeDeadline(remaining, burstReserveMs(setup.plan));
  try {
    return await runDriverEvent(event, makeDriverDeps(setup, { invoker, sink, stop: deadline?.signal }));
  } finally {
    deadline?.dispose();
  }
}
