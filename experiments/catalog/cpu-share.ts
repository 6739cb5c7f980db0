import { z } from 'zod';
import type { ScheduleItemInput } from '../schema';
import { providersMeasuring, PAPER_MEMORY_SIZES_MB, refresh } from './common';
import { defineStudy } from './define-study';

export const cpuShare = defineStudy({
  id: 'cpu-share',
  experiment: 'E7',
  title: 'CPU share by memory size, alone and co-resident',
  parameters: z.object({
    memoryMb: z.array(z.number().int().min(128).max(10_240)).min(1).default(PAPER_MEMORY_SIZES_MB).describe('memory sizes, MB'),
    coResident: z.number().int().min(2).max(20).default(4).describe('concurrent instances of one memory size per co-resident step'),
    durationMs: z.number().int().min(100).max(10_000).default(1000).describe('length of the timestamp loop, ms'),
    rounds: z.number().int().min(1).max(50).default(3).describe('rounds'),
    barrierMs: z.number().int().min(0).max(30_000).default(3000).describe('barrier aligning the loops of one burst'),
  }),
  docs: `The probe runs a tight loop recording timestamps for \`durationMs\`; gaps longer than a threshold are
time the instance was descheduled, and the fraction of wall time the loop ran is its CPU share. Each
round measures every memory size alone (one instance at a time, label \`lone\`) and then, one memory size
per step, \`coResident\` instances at once behind a barrier (label \`co-resident\`), on refreshed functions.
The analysis fits CPU share against memory from the lone measurements. For co-residency it uses the
inferred hosts of each co-resident step: instances that shared a host are compared with the *control
group* of the same step (instances of the same memory and VM type alone on other hosts), so whatever
slowed every instance of the step (the machine, the region) is not taken for a co-residency effect.`,
  build: (p) => {
    const lone: ScheduleItemInput[] = p.memoryMb.map((m) => ({
      kind: 'burst' as const,
      label: 'lone',
      targets: { memoryMb: [m] },
      requestsPerTarget: 1,
      barrierMs: 0,
    }));
    // One memory size per step: its co-resident and control instances differ only in where they landed.
    const coResident: ScheduleItemInput[] = p.memoryMb.map((m) => ({
      kind: 'burst' as const,
      label: 'co-resident',
      targets: { memoryMb: [m] },
      requestsPerTarget: p.coResident,
      barrierMs: p.barrierMs,
    }));
    return {
      id: 'cpu-share',
      title: 'CPU share by memory size, alone and co-resident',
      summary: 'Measure the fraction of wall time a busy loop gets, per memory size, alone and with co-resident instances.',
      paper: { experiment: 'E7', section: '§4 (CPU utilisation and performance isolation)' },
      providers: providersMeasuring('cpu-share'),
      functions: { memoryMb: p.memoryMb, runtime: ['nodejs'] },
      probe: { task: { name: 'cpu-share', durationMs: p.durationMs } },
      schedule: [
        {
          kind: 'repeat',
          times: p.rounds,
          steps: [refresh(), ...lone, ...coResident],
        },
      ],
      analysis: { kind: 'cpu-share' },
      claims: [
        {
          id: 'aws-share-proportional',
          statement: 'On AWS the CPU share is roughly proportional to memory',
          provider: 'aws',
          confidence: 'R',
          source: 'recollection of the paper',
          metric: 'cpuShare.memoryCorrelation',
          expected: { kind: 'at-least', value: 0.9, unit: 'Pearson r' },
          minEvidence: 10,
          since2018: 'AWS documents CPU proportional to memory, 1,769 MB = one vCPU',
        },
        {
          id: 'gcp-share-proportional',
          statement: 'On Google the CPU share is roughly proportional to memory',
          provider: 'gcp',
          confidence: 'R',
          source: 'recollection of the paper',
          metric: 'cpuShare.memoryCorrelation',
          expected: { kind: 'at-least', value: 0.9, unit: 'Pearson r' },
          minEvidence: 10,
        },
        {
          id: 'azure-share-varies',
          statement: 'On Azure the CPU share varies with co-located load',
          provider: 'azure',
          confidence: 'R',
          source: 'recollection of the paper',
          metric: 'cpuShare.coResidentDrop',
          expected: { kind: 'at-least', value: 0.2, unit: 'fraction' },
          minEvidence: 5,
        },
      ],
      budget: { maxInvocations: 2000, maxUsd: 2 },
      adapt: { memory: 'nearest' },
      parameters: { ...p },
    };
  },
});
