/** Options shared by commands that take a study and a provider (plan, and later run/start). */
import { z } from 'zod';
import { PROVIDERS } from '../experiments/schema';

export const providerOption = z.enum(PROVIDERS, { error: () => `expected one of ${PROVIDERS.join(', ')}` });

export const budgetOptions = {
  'max-usd': z.coerce.number().positive().optional(),
  'max-invocations': z.coerce.number().int().positive().optional(),
};

export const setOption = z.array(z.string()).default([]);
