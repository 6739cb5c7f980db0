import { z } from 'zod';
import type { ScheduleItemInput } from '../schema';
import { providersMeasuring, PAPER_MEMORY_SIZES_MB, refresh } from './common';
import { defineStudy } from './define-study';
import type { CloudProviderId } from '../../probe-runtime/contracts/providers';

export const coldstart = defineStudy({
  id: 'coldstart',
  experiment: 'E4',
  title: 'Cold and warm start latency by runtime and memory',
  parameters: z.object({
    memoryMb: z.array(z.number().int().min(128).max(10_240)).min(1).default(PAPER_MEMORY_SIZES_MB).describe('memory sizes, MB'),
    runtimes: z.array(z.enum(['nodejs', 'python'])).min(1).default(['nodejs', 'python']).describe('runtimes'),
    rounds: z.number().int().min(1).max(500).default(5).describe('cold/warm rounds per function'),
    concurrent: z.number().int().min(1).max(20).default(2).describe('concurrent requests per function per burst (the paper used 2)'),
    coldMode: z
      .enum(['forced', 'natural'])
      .default('forced')
      .describe('forced: refresh the function before each round (the paper\'s method); natural: wait idleSeconds so the platform recycles idle instances'),
    idleSeconds: z.number().int().min(1).max(86_400).default(1800).describe('wait before a natural cold round (coldMode=natural)'),
  }),
  docs: `Each round first forces cold starts (a configuration refresh gives every function new instances, the
equivalent of the paper's brand-new function per round) and sends \`concurrent\` requests at once (label
\`cold\`), then immediately sends the same again (label \`warm\`). With \`--set coldMode=natural\` the round
instead waits \`idleSeconds\` and labels the first burst \`cold-natural\`: those are natural cold starts
after idle eviction, kept apart from forced ones because platforms may treat them differently. The
analysis reports median latency with 95 % bootstrap intervals and CDFs per runtime and memory, and the
cold-start penalty of a new host versus a reused one.`,
  build: (p) => {
    const coldPhase: ScheduleItemInput[] =
      p.coldMode === 'forced'
        ? [refresh(), { kind: 'burst', label: 'cold', requestsPerTarget: p.concurrent }]
        : [{ kind: 'wait', seconds: p.idleSeconds }, { kind: 'burst', label: 'cold-natural', requestsPerTarget: p.concurrent }];
    return {
      id: 'coldstart',
      title: 'Cold and warm start latency by runtime and memory',
      summary: 'Alternate forced cold starts and warm requests on functions of each runtime and memory size.',
      paper: { experiment: 'E4', section: '§5 (cold start and warm start latency)' },
      providers: providersMeasuring('coldstart'),
      functions: { memoryMb: p.memoryMb, runtime: p.runtimes },
      schedule: [
        {
          kind: 'repeat',
          times: p.rounds,
          steps: [...coldPhase, { kind: 'burst', label: 'warm', requestsPerTarget: p.concurrent }],
        },
      ],
      analysis: { kind: 'coldstart' },
      claims: [
        claimWarm('aws', 25),
        claimWarm('gcp', 79),
        claimWarm('azure', 320),
        {
          id: 'aws-cold-median',
          statement: 'Median cold start on AWS was about 250 ms, with little effect of memory',
          provider: 'aws',
          confidence: 'S',
          source: 'second-hand summary of the cold-start results',
          metric: 'coldstart.coldMedianMs',
          expected: { kind: 'approx', value: 250, unit: 'ms', tolerance: 0.5 },
          minEvidence: 20,
        },
        {
          id: 'gcp-cold-128',
          statement: 'Median cold start on Google was 493 ms at 128 MB',
          provider: 'gcp',
          confidence: 'S',
          source: 'second-hand summary of the cold-start results',
          metric: 'coldstart.coldMedianMs.m128',
          expected: { kind: 'approx', value: 493, unit: 'ms', tolerance: 0.5 },
          minEvidence: 8,
          since2018: 'Cloud Functions 2nd gen runs on Cloud Run',
        },
        {
          id: 'gcp-cold-2048',
          statement: 'Median cold start on Google fell to 110 ms at 2,048 MB',
          provider: 'gcp',
          confidence: 'S',
          source: 'second-hand summary of the cold-start results',
          metric: 'coldstart.coldMedianMs.m2048',
          expected: { kind: 'approx', value: 110, unit: 'ms', tolerance: 0.5 },
          minEvidence: 8,
        },
        {
          id: 'azure-cold-median',
          statement: 'Median cold start on Azure was 3,640 ms',
          provider: 'azure',
          confidence: 'S',
          source: 'second-hand summary of the cold-start results',
          metric: 'coldstart.coldMedianMs',
          expected: { kind: 'approx', value: 3640, unit: 'ms', tolerance: 0.5 },
          minEvidence: 20,
        },
        {
          id: 'aws-new-host-penalty',
          statement: 'On AWS a cold start on a new VM took a median 39 ms longer than on a reused VM',
          provider: 'aws',
          confidence: 'S',
          source: 'second-hand summary of the cold-start results',
          metric: 'coldstart.newHostPenaltyMs',
          expected: { kind: 'approx', value: 39, unit: 'ms', tolerance: 0.75 },
          minEvidence: 10,
        },
      ],
      budget: { maxInvocations: 20_000, maxUsd: 2 },
      // Runtimes a platform does not offer (Python on Cloudflare Workers) are left out, and say so in the plan.
      adapt: { memory: 'nearest', runtimes: 'offered' },
      parameters: { ...p },
    };
  },
});

/** How claims name each cloud (a total record: a new cloud needs its name here). */
const CLOUD_NAMES: Record<CloudProviderId, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google', cloudflare: 'Cloudflare' };

function claimWarm(provider: CloudProviderId, medianMs: number) {
  const names = CLOUD_NAMES;
  return {
    id: `${provider}-warm-median`,
    statement: `Median warm start latency on ${names[provider]} was about ${medianMs} ms`,
    provider,
    confidence: 'P' as const,
    source: 'paper (warm start medians)',
    metric: 'coldstart.warmMedianMs',
    expected: { kind: 'approx' as const, value: medianMs, unit: 'ms', tolerance: 0.5 },
    minEvidence: 20,
  };
}
