/** Options shared by `curtain start` and `curtain fetch`: the targets with a client (targets/registry.ts). */
import { z } from 'zod';
import { checkRegion, CLOUD_NAMES } from '../../experiments/target-names';
import { listIds, type ProviderId } from '../../probe-runtime/contracts/providers';
import type { ProviderClient } from '../../targets/client/provider-client';
import { CLIENT_TARGETS, clientOf } from '../../targets/registry';
import { regionOption, runIdOption } from '../study-options';
import type { OptionSpec } from '../options';

/** The providers `--provider` accepts here: every target with a client. */
export const CLOUD_PROVIDERS = CLIENT_TARGETS.map((t) => t.id) as [string, ...string[]];

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
    provider: z.enum(CLOUD_PROVIDERS, { error: () => `expected ${listIds(CLOUD_PROVIDERS)} (for the local platform use \`curtain run\`)` }),
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
  .superRefine((o, ctx) => checkRegion(o.provider as ProviderId, o.region, ctx, ['region']));

export function providerClient(provider: string): ProviderClient {
  return clientOf(provider as (typeof CLIENT_TARGETS)[number]['id']);
}

/** The providers joined by `|`, for usage lines. */
export const CLOUD_PROVIDER_USAGE = CLOUD_PROVIDERS.join('|');

/** Where each target's guide is, for usage text. */
export const CLIENT_GUIDES = CLIENT_TARGETS.map((t) => t.guide).join(', ');
