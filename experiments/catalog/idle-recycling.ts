import { z } from 'zod';
import type { ScheduleItemInput } from '../schema';
import { providersMeasuring, holdMsParameter } from './common';
import { defineStudy } from './define-study';

export const idleRecycling = defineStudy({
  id: 'idle-recycling',
  experiment: 'E6',
  title: 'Idle recycling: how long does an idle instance survive?',
  parameters: z.object({
    gapsMinutes: z
      .array(z.number().positive().max(1440))
      .min(1)
      .default([1, 5, 10, 15, 20, 25, 26, 27, 30, 40, 60, 90, 120])
      .describe('idle gaps to test, minutes (one function per gap, all tested in one pass)'),
    instances: z.number().int().min(1).max(20).default(5).describe('instances warmed per function (each is one trial of its gap; the fraction claims need at least 4)'),
    memoryMb: z.number().int().min(128).max(3008).default(128).describe('function memory, MB'),
    holdMs: holdMsParameter(1000, 'so every warmed instance is revisited'),
  }),
  docs: `Rather than testing gaps one after another (which would take the sum of all gaps), every gap gets its
own function: all functions are warmed together (label \`warm-up\`), then each function is invoked again
(label \`after-idle\`) once its gap has elapsed, so the whole study takes as long as the largest gap. An
instance that answers again survived the gap; a new instance is a natural cold start after idle
eviction (unlike the forced cold starts of \`coldstart\`). The analysis measures the real gap from the
timestamps, not the planned one, and estimates the idle timeout as where survival drops. Both bursts hold
their requests at a barrier (\`holdMs\`), so each warmed instance is busy at once and each survivor is
revisited rather than one survivor serving every request in turn.`,
  build: (p) => {
    const gaps = [...new Set(p.gapsMinutes)].sort((a, b) => a - b);
    const schedule: ScheduleItemInput[] = [{ kind: 'burst', label: 'warm-up', requestsPerTarget: p.instances, barrierMs: p.holdMs }];
    let elapsed = 0;
    gaps.forEach((gap, copy) => {
      schedule.push({ kind: 'wait', seconds: (gap - elapsed) * 60 });
      schedule.push({ kind: 'burst', label: 'after-idle', targets: { copy: [copy] }, requestsPerTarget: p.instances, barrierMs: p.holdMs });
      elapsed = gap;
    });
    return {
      id: 'idle-recycling',
      title: 'Idle recycling: how long does an idle instance survive?',
      summary: 'Warm one function per idle gap, then revisit each after its gap and see whether its instances survived.',
      paper: { experiment: 'E6', section: '§5 (idle instance recycling)' },
      providers: providersMeasuring('idle-recycling'),
      functions: { memoryMb: [p.memoryMb], runtime: ['nodejs'], copies: gaps.length },
      schedule,
      analysis: { kind: 'idle-recycling' },
      claims: [
        {
          id: 'aws-max-idle',
          statement: 'AWS kept idle instances at most 27 minutes',
          provider: 'aws',
          confidence: 'S',
          source: 'second-hand summary of the idle-recycling results',
          metric: 'idle.maxSurvivedGapMinutes',
          expected: { kind: 'approx', value: 27, unit: 'min', tolerance: 0.15 },
          minEvidence: 3,
          since2018: 'about 26 min in early 2019, a fixed ~10 min from mid-2019',
        },
        {
          id: 'aws-recycled-at-26',
          statement: 'On AWS 80 % of idle instances were recycled at 26 minutes',
          provider: 'aws',
          confidence: 'S',
          source: 'second-hand summary of the idle-recycling results',
          metric: 'idle.recycledFractionAt26Min',
          expected: { kind: 'approx', value: 0.8, unit: 'fraction', tolerance: 0.25 },
          minEvidence: 4,
        },
        {
          id: 'gcp-long-idle',
          statement: 'On Google 18 % of idle instances were still alive after 120 minutes',
          provider: 'gcp',
          confidence: 'S',
          source: 'second-hand summary of the idle-recycling results',
          metric: 'idle.survivingFractionAt120Min',
          expected: { kind: 'approx', value: 0.18, unit: 'fraction', tolerance: 0.5 },
          minEvidence: 4,
        },
        {
          id: 'azure-inconsistent',
          statement: 'Azure showed no consistent idle timeout',
          provider: 'azure',
          confidence: 'S',
          source: 'second-hand summary of the idle-recycling results',
          metric: 'idle.consistentTimeout',
          expected: { kind: 'boolean', value: false },
          minEvidence: 5,
          since2018: 'about 20 min according to Shahrad et al. (ATC 2020)',
        },
      ],
      budget: { maxInvocations: 2000, maxUsd: 1 },
      adapt: { memory: 'nearest' },
      parameters: { ...p },
    };
  },
});
