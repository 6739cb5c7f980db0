import { z } from 'zod';
import { providersMeasuring, refresh } from './common';
import { defineStudy } from './define-study';

export const updateConsistency = defineStudy({
  id: 'update-consistency',
  experiment: 'E9',
  title: 'Update consistency: do requests reach instances with the old configuration?',
  parameters: z.object({
    concurrent: z.number().int().min(1).max(50).default(5).describe('concurrent requests per burst (the paper used 5)'),
    rounds: z.number().int().min(1).max(100).default(5).describe('updates tested'),
    burstsAfter: z.number().int().min(1).max(100).default(10).describe('bursts sent after each update'),
    intervalSeconds: z.number().min(0.1).max(600).default(1).describe('time between the bursts after an update, seconds'),
  }),
  docs: `Each round sends \`concurrent\` requests (label \`before\`), changes the function's configuration (its
configuration generation, an environment variable every probe reports), and then sends \`burstsAfter\`
more bursts (label \`after\`) \`intervalSeconds\` apart. A response that reports an older generation than
the last completed update came from a stale instance. The analysis plots the stale fraction against
time since the update.`,
  build: (p) => ({
    id: 'update-consistency',
    title: 'Update consistency: do requests reach instances with the old configuration?',
    summary: 'Update a function between bursts and count responses from instances with the old configuration.',
    paper: { experiment: 'E9', section: '§6 (function update consistency)' },
    providers: providersMeasuring('update-consistency'),
    functions: { memoryMb: [128], runtime: ['nodejs'] },
    schedule: [
      {
        kind: 'repeat',
        times: p.rounds,
        steps: [
          { kind: 'burst', label: 'before', requestsPerTarget: p.concurrent },
          refresh(),
          {
            kind: 'repeat',
            times: p.burstsAfter,
            steps: [
              { kind: 'burst', label: 'after', requestsPerTarget: p.concurrent },
              { kind: 'wait', seconds: p.intervalSeconds },
            ],
          },
        ],
      },
    ],
    analysis: { kind: 'update-consistency' },
    claims: [
      {
        id: 'aws-stale-after-update',
        statement: 'After an update, requests still reached instances with the old configuration for a while',
        provider: 'aws',
        confidence: 'R',
        source: 'recollection of the paper',
        metric: 'update.staleResponses',
        expected: { kind: 'at-least', value: 1, unit: 'responses' },
        minEvidence: 20,
      },
    ],
    budget: { maxInvocations: 2000, maxUsd: 1 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
