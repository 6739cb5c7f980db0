/**
 * What `curtain start` and `curtain fetch` need from a cloud provider target.
 * Each provider implements this in stacks/<provider>/client/ and its target
 * (targets/registry.ts) creates it; the commands stay provider-neutral.
 * Clients report progress on `io.err` and user-facing problems as TargetError.
 */
import type { ProviderId } from '../../probe-runtime/contracts/providers';

/** Where a client reports progress (the CLI passes its stderr). */
export interface ClientIo {
  err(text: string): void;
}

export interface CloudTargetOptions {
  study: string;
  region?: string;
  /** Stack / deployment name when it differs from the default derived from the study. */
  stack?: string;
  /** Results bucket (S3 bucket, GCS bucket, Azure storage container) when not read from the deployment's outputs. */
  bucket?: string;
  /** Service endpoint override, e.g. a local S3-compatible server or azurite (tests, air-gapped mirrors). */
  endpoint?: string;
  /** Google Cloud project. */
  project?: string;
  /** Azure resource group and storage account. */
  resourceGroup?: string;
  account?: string;
}

export interface StartResult {
  run: string;
  /** Provider execution id (Step Functions execution ARN, Workflows execution name, Durable instance id). */
  execution: string;
  /** Where to watch it (console URL or CLI hint). */
  watch: string;
}

export interface FetchResult {
  run: string;
  /** Local directory holding <study>/<run>/ in the bucket layout. */
  dir: string;
  files: number;
  bytes: number;
}

export interface ProviderClient {
  provider: ProviderId;
  start(options: CloudTargetOptions & { run?: string }, io: ClientIo): Promise<StartResult>;
  /** Downloads one run (the newest when `run` is absent) into `out`. */
  fetch(options: CloudTargetOptions & { run?: string; out: string }, io: ClientIo): Promise<FetchResult>;
}
