import { z } from 'zod';
import { providersMeasuring, holdMsParameter } from './common';
import { defineStudy } from './define-study';

export const lifetime = defineStudy({
  id: 'lifetime',
  experiment: 'E5',
  title: 'Instance lifetime under steady use',
  parameters: z.object({
    // Up to a year: cloud orchestrators split long runs into executions; the plan's step limit still applies (raise intervalSeconds for the longest).
    hours: z.number().min(0.1).max(8760).default(12).describe('length of the study, hours (should exceed the expected lifetime)'),
    intervalSeconds: z.number().int().min(10).max(3600).default(60).describe('time between bursts, seconds'),
    instances: z.number().int().min(1).max(50).default(5).describe('concurrent requests per burst (instances kept busy)'),
    memoryMb: z.number().int().min(128).max(3008).default(128).describe('function memory, MB'),
    holdMs: holdMsParameter(250, 'so each keeps its own instance busy'),
  }),
  docs: `One function is invoked by a burst of \`instances\` concurrent requests every \`intervalSeconds\` for
\`hours\`, so its instances never sit idle long enough to be recycled. A short barrier (\`holdMs\`) keeps the
requests of a burst in flight together, so each of the \`instances\` is used every time (fast requests
would otherwise be served by fewer instances in turn, and the unused ones would idle out). An instance's lifetime is the time
between its first and last appearance; instances still alive at the end are censored, which the
survival curve (Kaplan–Meier) accounts for. The study should run longer than the lifetime it measures.`,
  build: (p) => ({
    id: 'lifetime',
    title: 'Instance lifetime under steady use',
    summary: 'Keep a function busy with periodic bursts for hours and measure how long each instance lives.',
    paper: { experiment: 'E5', section: '§5 (instance lifetime)' },
    providers: providersMeasuring('lifetime'),
    functions: { memoryMb: [p.memoryMb], runtime: ['nodejs'] },
    schedule: [
      {
        kind: 'repeat',
        times: Math.max(1, Math.round((p.hours * 3600) / p.intervalSeconds)),
        steps: [
          { kind: 'burst', label: 'tick', requestsPerTarget: p.instances, barrierMs: p.holdMs },
          { kind: 'wait', seconds: p.intervalSeconds },
        ],
      },
    ],
    analysis: { kind: 'lifetime' },
    claims: [
      {
        id: 'aws-median-lifetime',
        statement: 'The median lifetime of an AWS instance was 6.2 hours',
        provider: 'aws',
        confidence: 'S',
        source: 'second-hand summary of the lifetime results',
        metric: 'lifetime.medianHours',
        expected: { kind: 'approx', value: 6.2, unit: 'h', tolerance: 0.5 },
        minEvidence: 10,
      },
    ],
    // A week at the default rate (5 requests a minute: 50,400) fits; longer or denser runs need a larger budget.
    budget: { maxInvocations: 60_000, maxUsd: 5 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
