import { z } from 'zod';
import { providersMeasuring, refresh, steps } from './common';
import { defineStudy } from './define-study';

export const scalability = defineStudy({
  id: 'scalability',
  experiment: 'E3',
  title: 'Scalability: how many concurrent instances does a function get?',
  parameters: z.object({
    step: z.number().int().min(1).max(100).default(5).describe('concurrency increment between levels'),
    maxConcurrency: z.number().int().min(1).max(1000).default(200).describe('highest concurrency level'),
    memoryMb: z.number().int().min(128).max(3008).default(128).describe('function memory, MB'),
    barrierMs: z.number().int().min(0).max(30_000).default(10_000).describe('barrier (the paper used 10 s)'),
  }),
  docs: `For each concurrency level (5, 10, …, 200 by default, as in the authors' code) the function is
refreshed, then that many requests are sent at once with a 10 s barrier, so every request needs its own
instance at the same moment. The analysis plots distinct instances against requested concurrency and
counts throttled and queued requests (queued requests show as a task start long after the barrier).`,
  build: (p) => ({
    id: 'scalability',
    title: 'Scalability: how many concurrent instances does a function get?',
    summary: 'Sweep burst concurrency on a fresh function and count the distinct instances that serve it.',
    paper: { experiment: 'E3', section: '§5 (scalability and instance placement)' },
    providers: providersMeasuring('scalability'),
    functions: { memoryMb: [p.memoryMb], runtime: ['nodejs'] },
    schedule: steps(p.step, p.maxConcurrency, p.step).flatMap((level) => [
      refresh(),
      { kind: 'burst' as const, label: 'level', requestsPerTarget: level, barrierMs: p.barrierMs },
    ]),
    analysis: { kind: 'scalability' },
    claims: [
      {
        id: 'aws-scales-best',
        statement: 'AWS scaled best: every concurrent request got its own instance',
        provider: 'aws',
        confidence: 'P',
        source: 'paper (AWS best among the three)',
        metric: 'scalability.instanceRatioAtMax',
        expected: { kind: 'at-least', value: 0.95, unit: 'instances per request' },
        minEvidence: 20,
      },
      {
        id: 'azure-about-10-instances',
        statement: 'Azure gave a function at most about 10 concurrent instances',
        provider: 'azure',
        confidence: 'S',
        source: 'second-hand summary of the scalability results',
        metric: 'scalability.maxInstances',
        expected: { kind: 'approx', value: 10, unit: 'instances', tolerance: 0.5 },
        minEvidence: 3,
      },
      {
        id: 'gcp-about-half',
        statement: 'Google launched only about half of the requested instances; the rest queued',
        provider: 'gcp',
        confidence: 'S',
        source: 'second-hand summary of the scalability results',
        metric: 'scalability.instanceRatioAtMax',
        expected: { kind: 'approx', value: 0.5, unit: 'instances per request', tolerance: 0.3 },
        minEvidence: 20,
      },
    ],
    budget: { maxInvocations: 10_000, maxUsd: 3 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
