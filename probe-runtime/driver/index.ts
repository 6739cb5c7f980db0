/**
 * The driver's public API, for provider entries that live outside this folder
 * (the Azure Function App in driver/adapters/azure.ts and driver/azure-durable/)
 * and for the local platform and the stacks. The entries in adapters/ import
 * modules directly so each bundle only carries what it uses (the local driver
 * must not load the AWS SDK).
 */
export { runDriverEvent, recordsToJsonl, countStatuses } from './run-driver-event';
export type { DriverDeps, DriverSummary, RunStartedSummary, RunFinishedSummary } from './run-driver-event';
export type { RunProvenance } from './run-manifest';
export { parseDriverEvent, checkEventAgainstPlan } from './check-event';
export { DriverRefusedError, DriverConfigError } from './errors';
export { monotonicEpochClock, type EpochClock } from './clock';
export type { Invoker, InvokeAttempt, InvokeOutcome } from './invoker';
export type { ResultSink } from './sinks/result-sink';

// Setup: plan.json + deployment.json beside the entry, CURTAIN_TARGETS merged in.
export { loadDriverSetup, loadPlanFile, loadDeploymentFile, resolveDeployment, parsePlan, driverFiles, requireEnv } from './config/load-setup';
export type { DriverSetup, DriverFiles } from './config/load-setup';
export { toolVersion } from './config/tool-version';
export { makeDriverDeps, stopBeforeDeadline, burstReserveMs, describeFailure, type HostParts } from './host';

// Invokers.
export { createHttpInvoker, createLocalInvoker, classifyHttpAnswer, type HttpInvokerOptions } from './invokers/http';
export { functionKeyAuth, functionKeysFromEnv, googleIdTokenAuth, noAuth, FUNCTION_KEY_HEADER, type HttpAuth } from './invokers/http-auth';
export { createLambdaInvoker, type LambdaInvokerOptions } from './invokers/lambda';

// Sinks.
export { createBlobSink, blobSinkFromEnv, type BlobSinkOptions, type BlobCredential } from './sinks/azure-blob';
export { parseConnectionString } from './sinks/azure-shared-key';
export { createGcsSink, gcsSinkFromEnv } from './sinks/gcs';
export { createS3Sink, type S3SinkOptions } from './sinks/s3';
export { createLocalDirSink } from './sinks/local-dir';
export { managedIdentityToken } from './net/azure-managed-identity';
