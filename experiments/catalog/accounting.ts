import { z } from 'zod';
import { providersMeasuring } from './common';
import { defineStudy } from './define-study';

export const accounting = defineStudy({
  id: 'accounting',
  experiment: 'E10',
  title: 'Resource accounting: work done after the handler returns',
  parameters: z.object({
    rounds: z.number().int().min(1).max(100).default(5).describe('start/collect rounds'),
    backgroundMs: z.number().int().min(100).max(120_000).default(60_000).describe('how long background work tries to run after the handler returns, ms'),
    gapSeconds: z.number().int().min(1).max(3600).default(90).describe('wait between starting the work and collecting its report, seconds'),
    memoryMb: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 2048]).describe('memory sizes, MB'),
  }),
  docs: `The probe starts CPU work that keeps running after its handler has returned (label \`start\`). After
\`gapSeconds\`, the next invocation of the same instance (label \`collect\`) reports how much of that work
was actually done and when. Work completed while no request was being billed is compute the customer
did not pay for: the paper found Google let one instance do the work of a small VM at almost no cost.
The analysis compares work done after return with the time billed.`,
  build: (p) => ({
    id: 'accounting',
    title: 'Resource accounting: work done after the handler returns',
    summary: 'Start background work that outlives the request and measure how much of it runs unbilled.',
    paper: { experiment: 'E10', section: '§6 (resource accounting)' },
    providers: providersMeasuring('accounting'),
    functions: { memoryMb: p.memoryMb, runtime: ['nodejs'] },
    schedule: [
      {
        kind: 'repeat',
        times: p.rounds,
        steps: [
          { kind: 'burst', label: 'start', requestsPerTarget: 1, task: { name: 'background', durationMs: p.backgroundMs } },
          { kind: 'wait', seconds: p.gapSeconds },
          { kind: 'burst', label: 'collect', requestsPerTarget: 1, task: { name: 'noop' } },
        ],
      },
    ],
    analysis: { kind: 'accounting' },
    claims: [
      {
        id: 'gcp-unbilled-work',
        statement: 'Google let an instance keep working after the request at almost no cost',
        provider: 'gcp',
        confidence: 'P',
        source: 'paper abstract',
        metric: 'accounting.unbilledWorkRatio',
        expected: { kind: 'at-least', value: 10, unit: 'work-seconds per billed second' },
        minEvidence: 5,
        since2018: 'Cloud Run functions throttle CPU outside requests by default',
      },
      {
        id: 'aws-freezes-after-return',
        statement: 'AWS freezes an instance when its handler returns, so no unbilled work is done',
        provider: 'aws',
        confidence: 'R',
        source: 'recollection of the paper',
        metric: 'accounting.unbilledWorkRatio',
        expected: { kind: 'at-most', value: 0.1, unit: 'work-seconds per billed second' },
        minEvidence: 5,
      },
    ],
    budget: { maxInvocations: 1000, maxUsd: 1 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
