/**
 * The `-c key=value` options of the AWS app (`npx cdk synth|deploy -c ...`),
 * validated with zod. Values arrive as strings from the command line and as
 * JSON values from cdk.json, so numbers are coerced.
 *
 *   study=<id>[,<id>...]     catalog studies, one stack each
 *   definition=<file>        a study definition you wrote (.json/.ts/.js)
 *   set.<name>=<value>       a study parameter, as `curtain plan --set name=value`
 *   region=<region>          default: the provider's default region (us-east-1)
 *   budget=<usd>             overrides the studies' USD budget
 *   tenantB=<account>        deploy tenant b's probes (isolation study) in this account
 *   account=<account>        the primary account, when the CLI cannot tell (needed with tenantB)
 *   bucketRemoval=retain|destroy   what `cdk destroy` does with the results (default retain)
 *   driverConcurrency=<n>|none     reserved concurrency of the driver (default: the widest burst's shards)
 *   bundleRoot=<dir>         where dist/runtime/manifest.json is (default: this repository)
 */
import { z } from 'zod';
import { problemsFromZod, ValidationError } from '../../experiments/errors';
import { parseSets } from '../../experiments/resolve-study';
import { CLOUD_NAMES, REGION_NAMES, userPath } from '../../experiments/target-names';

const account = CLOUD_NAMES.awsAccount;
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

export const AwsAppContext = z.object({
  study: list.optional(),
  definition: userPath.optional(),
  region: z.string().regex(REGION_NAMES.aws.pattern, `expected an AWS region such as ${REGION_NAMES.aws.example}`).optional(),
  budget: z.coerce.number().positive('expected a positive amount of USD').optional(),
  tenantB: account.optional(),
  account: account.optional(),
  bucketRemoval: z.enum(['retain', 'destroy']).default('retain'),
  driverConcurrency: z
    .union([z.literal('none'), z.coerce.number().int().min(1).max(1000)])
    .optional()
    .transform((v) => (v === 'none' ? null : v)),
  bundleRoot: userPath.optional(),
});
export type AwsAppContext = z.output<typeof AwsAppContext> & { sets: Record<string, unknown> };

const KEYS = Object.keys(AwsAppContext.shape);

/** Reads the app's options from the CDK context (all keys, as `app.node.getAllContext()` gives them). */
export function parseAwsAppContext(context: Record<string, unknown>): AwsAppContext {
  const picked: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = context[key];
    if (value !== undefined) picked[key] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  const parsed = AwsAppContext.safeParse(picked);
  if (!parsed.success) {
    throw new ValidationError('cdk context (-c)', problemsFromZod(parsed.error).map((p) => ({ ...p, path: p.path ? `-c ${p.path}` : '' })));
  }
  // Through parseSets, so `-c set.__proto__=1` is refused as `--set __proto__=1` is, never applied to an object's prototype.
  const pairs = Object.entries(context)
    .filter(([key]) => key.startsWith('set.') && key.length > 4)
    .map(([key, value]) => `${key.slice(4)}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return { ...parsed.data, sets: parseSets(pairs) };
}
