import { z } from 'zod';
import { providersMeasuring, refresh, sampleDistinct, steps } from './common';
import { defineStudy } from './define-study';

/** 128–3,008 MB in 64 MB steps, the range the authors' code drew from. */
const PAPER_PLACEMENT_SIZES = steps(128, 3008, 64);

export const placement = defineStudy({
  id: 'placement',
  experiment: 'E2',
  title: 'Instance placement: are instances bin-packed onto VMs by memory?',
  parameters: z.object({
    functions: z.number().int().min(1).max(46).default(20).describe('functions, each with a distinct random memory size from 128–3,008 MB in 64 MB steps'),
    seed: z.number().int().min(0).default(2018).describe('seed of the memory-size draw (keeps the plan reproducible)'),
    rounds: z.number().int().min(1).max(50).default(3).describe('rounds of the two launch phases'),
    barrierMs: z.number().int().min(0).max(30_000).default(3000).describe('barrier that keeps a phase\'s instances alive at once'),
  }),
  docs: `Functions with random memory sizes (drawn from 128–3,008 MB in 64 MB steps with a fixed seed) are
launched in two phases per round, as in the authors' code: one instance per function (\`c1\`) and five
concurrent instances per function (\`c5\`), each phase on freshly refreshed functions and behind a barrier
so the instances coexist. The analysis groups instances into hosts by fingerprint and reports instances
and aggregate instance memory per host: bin-packing shows as hosts filled close to a common memory
ceiling (3,328 MB on 2018 Lambda) rather than spread thinly.`,
  build: (p) => ({
    id: 'placement',
    title: 'Instance placement: are instances bin-packed onto VMs by memory?',
    summary: 'Launch functions of random memory sizes and measure aggregate instance memory per inferred host.',
    paper: { experiment: 'E2', section: '§4 (instance placement, bin-packing)' },
    providers: providersMeasuring('placement'),
    functions: { memoryMb: sampleDistinct(PAPER_PLACEMENT_SIZES, p.functions, p.seed), runtime: ['nodejs'] },
    schedule: [
      {
        kind: 'repeat',
        times: p.rounds,
        steps: [
          refresh(),
          { kind: 'burst', label: 'c1', requestsPerTarget: 1, barrierMs: p.barrierMs },
          refresh(),
          { kind: 'burst', label: 'c5', requestsPerTarget: 5, barrierMs: p.barrierMs },
        ],
      },
    ],
    analysis: { kind: 'placement' },
    claims: [
      {
        id: 'aws-bin-packing',
        statement: 'AWS bin-packs instances onto VMs to fill VM memory',
        provider: 'aws',
        confidence: 'P',
        source: 'paper abstract',
        metric: 'placement.binPacked',
        expected: { kind: 'boolean', value: true },
        minEvidence: 3,
        since2018: 'Firecracker microVMs since ~2019: one sandbox per microVM, so VM-level packing is no longer visible',
      },
      {
        id: 'aws-max-host-memory',
        statement: 'The most aggregate instance memory seen on one AWS VM was 3,328 MB',
        provider: 'aws',
        confidence: 'S',
        source: 'second-hand summary of the placement results',
        metric: 'placement.maxHostMemoryMb',
        expected: { kind: 'approx', value: 3328, unit: 'MB', tolerance: 0.1 },
        minEvidence: 10,
      },
    ],
    budget: { maxInvocations: 2000, maxUsd: 2 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
