/** Options shared by `curtain start` and `curtain fetch`. */
import { z } from 'zod';
import { CliError } from '../cli-error';
import { PROVIDER_CLIENTS } from '../providers';
import type { ProviderClient } from '../providers/provider-client';
import type { OptionSpec } from '../options';

export const CLOUD_OPTION_SPEC: OptionSpec = {
  provider: { type: 'string', short: 'p' },
  region: { type: 'string' },
  run: { type: 'string' },
  stack: { type: 'string' },
  bucket: { type: 'string' },
  endpoint: { type: 'string' },
  project: { type: 'string' },
  'resource-group': { type: 'string' },
  account: { type: 'string' },
  json: { type: 'boolean' },
};

export const CloudOptions = z.object({
  provider: z.enum(['aws', 'azure', 'gcp'], { error: () => 'expected aws, azure or gcp (for the local platform use `curtain run`)' }),
  region: z.string().min(1).optional(),
  // One path segment that cannot be `.` or `..` (the same rule as the driver's SAFE_RUN_ID).
  run: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected a run id such as 20261126T120000Z-ab12').optional(),
  stack: z.string().min(1).optional(),
  bucket: z.string().min(1).optional(),
  endpoint: z.url().optional(),
  project: z.string().min(1).optional(),
  'resource-group': z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

export function providerClient(provider: 'aws' | 'azure' | 'gcp'): ProviderClient {
  const factory = PROVIDER_CLIENTS[provider];
  if (!factory) throw new CliError(`curtain: the ${provider} target is not available in this version of Curtain`);
  return factory();
}
