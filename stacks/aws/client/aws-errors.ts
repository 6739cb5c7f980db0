/**
 * AWS SDK failures as one clear line for `curtain start` / `curtain fetch`,
 * with what to do about the common ones (no credentials, no region, no stack).
 */
import { CliError, EXIT } from '../../../cli/cli-error';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function awsCliError(error: unknown, doing: string): CliError {
  if (error instanceof CliError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const message = (e.message ?? String(error)).split('\n')[0]!;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(`curtain: ${doing}: no AWS credentials found; configure them (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`, EXIT.usage);
  }
  if (/Region is missing/i.test(message)) {
    return new CliError(`curtain: ${doing}: no AWS region; pass --region or set AWS_REGION`, EXIT.usage);
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403) {
    return new CliError(`curtain: ${doing}: access denied (${message}); check the credentials' permissions`, EXIT.usage);
  }
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo/i.test(message) || name === 'TimeoutError') {
    return new CliError(`curtain: ${doing}: cannot reach the service (${message}); check --endpoint, --region and the network`, EXIT.failed);
  }
  return new CliError(`curtain: ${doing}: ${name}: ${message}`, EXIT.failed);
}
