/** Options shared by `curtain start` and `curtain fetch`: the targets with a client (targets/registry.ts). */
import { z } from 'zod';
import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../../probe-runtime/contracts/bucket-layout';
import { listIds } from '../../probe-runtime/contracts/providers';
import type { ProviderClient } from '../../targets/client/provider-client';
import { CLIENT_TARGETS, clientOf } from '../../targets/registry';
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

export const CloudOptions = z.object({
  provider: z.enum(CLOUD_PROVIDERS, { error: () => `expected ${listIds(CLOUD_PROVIDERS)} (for the local platform use \`curtain run\`)` }),
  region: z.string().min(1).optional(),
  run: z.string().regex(RUN_ID_PATTERN, `expected a run id such as ${RUN_ID_EXAMPLE}`).optional(),
  stack: z.string().min(1).optional(),
  bucket: z.string().min(1).optional(),
  endpoint: z.url().optional(),
  project: z.string().min(1).optional(),
  'resource-group': z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

export function providerClient(provider: string): ProviderClient {
  return clientOf(provider as (typeof CLIENT_TARGETS)[number]['id']);
}

/** The providers joined by `|`, for usage lines. */
export const CLOUD_PROVIDER_USAGE = CLOUD_PROVIDERS.join('|');

/** Where each target's guide is, for usage text. */
export const CLIENT_GUIDES = CLIENT_TARGETS.map((t) => t.guide).join(', ');
