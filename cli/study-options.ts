/** Options shared by commands that take a study and a provider (plan, and later run/start). */
import { z } from 'zod';
import { PROVIDERS } from '../experiments/schema';
import { anyRegion, hostingName, userPath } from '../experiments/target-names';
import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../probe-runtime/contracts/bucket-layout';

export const providerOption = z.enum(PROVIDERS, { error: () => `expected one of ${PROVIDERS.join(', ')}` });

export const budgetOptions = {
  'max-usd': z.coerce.number().positive().optional(),
  'max-invocations': z.coerce.number().int().positive().optional(),
};

export const setOption = z.array(z.string()).default([]);

/** --region before the provider is known; planStudy and the cloud options check it against the provider. */
export const regionOption = anyRegion.optional();
export const hostingOption = hostingName.optional();
/** A path option (--out, --definition, --bundles, ...): no control characters. */
export const pathOption = userPath;
/** A deployed study's id (`curtain start|fetch <study>`): it names stacks, buckets and printed commands. */
export const studyIdArgument = z.object({ study: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'expected a study id such as coldstart') });

/** A run id (bucket-layout.ts: the one pattern every place that takes a run id checks). */
export const runIdOption = z.string().regex(RUN_ID_PATTERN, `expected a run id such as ${RUN_ID_EXAMPLE}`);
