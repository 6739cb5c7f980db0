/**
 * The narrow interface between the provider-neutral driver core and a way of
 * reaching probes (Lambda Invoke, HTTPS with a function key or an ID token, the
 * local platform's front door). An invoker moves bytes and classifies transport
 * outcomes; the core owns timing, timeouts, retries, validation and records.
 */
import type { InvocationStatus } from '../contracts/invocation-record';

export interface InvokeAttempt {
  /** Plan function key the request is addressed to. */
  functionKey: string;
  /** Where that function is deployed: deployment.targets[functionKey] (ARN, URL or local key). */
  address: string;
  /** A new connection for this request (no keep-alive reuse), as the paper's driver did. */
  freshConnection: boolean;
  /**
   * Fires when the attempt's timeout (step.timeoutMs) expires: the invoker must
   * abandon the request (destroy the socket, abort the SDK call) and resolve.
   */
  signal: AbortSignal;
  /**
   * Call exactly once, immediately before the bytes are handed to the network:
   * stamps the driver's send time and returns the serialized ProbeRequest.
   * Everything slow (auth headers, agents) belongs before this call, so the
   * send timestamps of a burst are as close together as the machine allows.
   */
  body(): string;
}

/** A complete answer from the platform: the core validates the body as a ProbeResponse. */
export interface InvokeAnswer {
  kind: 'answer';
  body: string;
  transportStatus: number | null;
}

/** The platform did not deliver a probe answer. */
export interface InvokeFailure {
  kind: 'failure';
  status: Exclude<InvocationStatus, 'ok' | 'skipped'>;
  error: string;
  transportStatus: number | null;
}

export type InvokeOutcome = InvokeAnswer | InvokeFailure;

export interface PrepareOptions {
  /**
   * Fresh connections the first wave of the shard will open, per address: an
   * invoker may open them before the first send so that the sends leave together.
   */
  freshConnections?: ReadonlyMap<string, number>;
}

export interface Invoker {
  /** Short description for logs, e.g. `lambda`, `https+function-key`. */
  readonly name: string;
  /**
   * Called once per shard before the first send with the addresses it will use:
   * fetch tokens, resolve hosts, so nothing slow happens between send timestamps.
   */
  prepare?(addresses: readonly string[], options?: PrepareOptions): Promise<void>;
  /** Called once per shard after its last answer: drop whatever prepare set up and no request used. */
  release?(): void;
  /** Never rejects: every failure is an InvokeFailure. */
  invoke(attempt: InvokeAttempt): Promise<InvokeOutcome>;
  /** Release sockets and agents (tests, the local process before exit). */
  close?(): void;
}
