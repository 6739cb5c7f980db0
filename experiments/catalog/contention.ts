import { z } from 'zod';
import { providersMeasuring, refresh } from './common';
import { defineStudy } from './define-study';

export const contention = defineStudy({
  id: 'contention',
  experiment: 'E8',
  title: 'I/O and network contention between co-resident instances',
  parameters: z.object({
    levels: z.array(z.number().int().min(1).max(100)).min(1).default([1, 2, 4, 8, 16]).describe('numbers of co-resident instances to test'),
    loneRuns: z.number().int().min(1).max(50).default(5).describe('times the lone level (one instance) is measured: the baseline every slowdown is relative to'),
    ioMegabytes: z.number().int().min(1).max(512).default(32).describe("MB each instance writes with synchronous writes (the paper's dd: oflag=dsync)"),
    netMegabytes: z.number().int().min(1).max(512).default(16).describe('MB each instance downloads'),
    memoryMb: z.number().int().min(128).max(3008).default(128).describe('function memory, MB (small sizes pack more instances per host)'),
    barrierMs: z.number().int().min(0).max(30_000).default(3000).describe('barrier aligning the instances of one level'),
  }),
  docs: `For each level N, the function is refreshed and N instances start at a shared barrier to write
\`ioMegabytes\` with fsync (label \`io\`, the paper's dd), then the same instances download \`netMegabytes\`
(label \`net\`, where the paper used iperf3) from an endpoint the provider target supplies. The analysis
groups instances by inferred host and plots per-instance throughput against the number of co-resident
instances; the slowdown is the median throughput of lone instances (the lone level, run \`loneRuns\` times, so
the baseline is not one measurement) over the worst co-resident one.`,
  build: (p) => ({
    id: 'contention',
    title: 'I/O and network contention between co-resident instances',
    summary: 'Run disk and network throughput tests on N co-resident instances at once and measure the slowdown.',
    paper: { experiment: 'E8', section: '§4 (performance isolation: I/O and network)' },
    providers: providersMeasuring('contention'),
    functions: { memoryMb: [p.memoryMb], runtime: ['nodejs'], timeoutSeconds: 120 },
    schedule: [...new Set(p.levels)].flatMap((n) =>
      Array.from({ length: n === 1 ? p.loneRuns : 1 }, () => [
        refresh(),
        { kind: 'burst' as const, label: 'io', requestsPerTarget: n, barrierMs: p.barrierMs, task: { name: 'io' as const, megabytes: p.ioMegabytes, maxMs: 50_000 } },
        { kind: 'burst' as const, label: 'net', requestsPerTarget: n, barrierMs: p.barrierMs, task: { name: 'net' as const, direction: 'download' as const, megabytes: p.netMegabytes, maxMs: 50_000 } },
      ]).flat(),
    ),
    analysis: { kind: 'contention' },
    claims: [
      {
        id: 'aws-contention-19x',
        statement: 'Co-resident instances of the same account made I/O, network or cold start up to 19× worse on AWS',
        provider: 'aws',
        confidence: 'P',
        source: 'paper abstract',
        metric: 'contention.maxSlowdown',
        expected: { kind: 'approx', value: 19, unit: '×', tolerance: 0.75 },
        minEvidence: 10,
      },
      {
        id: 'azure-debased-hosts',
        statement: '55 % of Azure instances ran on a VM type with debased performance',
        provider: 'azure',
        confidence: 'P',
        source: 'paper abstract',
        metric: 'contention.debasedInstanceFraction',
        expected: { kind: 'approx', value: 0.55, unit: 'fraction', tolerance: 0.3 },
        minEvidence: 10,
      },
    ],
    budget: { maxInvocations: 1000, maxUsd: 2 },
    adapt: { memory: 'nearest' },
    parameters: { ...p },
  }),
});
