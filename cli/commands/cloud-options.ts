/** Options shared by `curtain start` and `curtain fetch`. */
import { z } from 'zod';
import { CLOUD_NAMES, checkRegion } from '../../experiments/target-names';
import { regionOption, runIdOption } from '../study-options';
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

// Names are checked here, where they enter: they reach URLs, SDK calls and printed commands.
export const CloudOptions = z
  .object({
    provider: z.enum(['aws', 'azure', 'gcp'], { error: () => 'expected aws, azure or gcp (for the local platform use `curtain run`)' }),
    region: regionOption,
    run: runIdOption.optional(),
    stack: CLOUD_NAMES.stack.optional(),
    bucket: CLOUD_NAMES.bucket.optional(),
    endpoint: z.url().optional(),
    project: CLOUD_NAMES.gcpProject.optional(),
    'resource-group': CLOUD_NAMES.resourceGroup.optional(),
    account: CLOUD_NAMES.storageAccount.optional(),
    json: z.boolean().default(false),
  })
  .superRefine((o, ctx) => checkRegion(o.provider, o.region, ctx, ['region']));

export function providerClient(provider: 'aws' | 'azure' | 'gcp'): ProviderClient {
  const factory = PROVIDER_CLIENTS[provider];
  if (!factory) throw new CliError(`curtain: the ${provider} target is not available in this version of Curtain`);
  return factory();
}
