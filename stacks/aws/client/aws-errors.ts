/**
 * AWS SDK failures as one clear line for `curtain start` / `curtain fetch`,
 * with what to do about the common ones (no credentials, no region, no stack).
 */
import { TargetError } from '../../../targets/target-errors';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function awsTargetError(error: unknown, doing: string): TargetError {
  if (error instanceof TargetError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const message = (e.message ?? String(error)).split('\n')[0]!;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new TargetError(`curtain: ${doing}: no AWS credentials found; configure them (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`);
  }
  if (/Region is missing/i.test(message)) {
    return new TargetError(`curtain: ${doing}: no AWS region; pass --region or set AWS_REGION`);
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403) {
    return new TargetError(`curtain: ${doing}: access denied (${message}); check the credentials' permissions`);
  }
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo/i.test(message) || name === 'TimeoutError') {
    return new TargetError(`curtain: ${doing}: cannot reach the service (${message}); check --endpoint, --region and the network`, 'failed');
  }
  return new TargetError(`curtain: ${doing}: ${name}: ${message}`, 'failed');
}
