import { z } from 'zod';
import { MAX_CHANNEL_FRAMES } from '../../probe-runtime/contracts/task';
import type { ScheduleItemInput } from '../schema';
import { providersMeasuring, refresh } from './common';
import { defineStudy } from './define-study';

export const isolation = defineStudy({
  id: 'isolation',
  experiment: 'E1',
  title: 'Tenant isolation: do instances of different accounts share a host?',
  parameters: z.object({
    functionsPerTenant: z.number().int().min(1).max(50).default(5).describe('functions deployed per tenant (account)'),
    instancesPerFunction: z.number().int().min(1).max(20).default(4).describe('concurrent requests per function per round'),
    rounds: z.number().int().min(1).max(100).default(3).describe('rounds, each on freshly refreshed functions'),
    memoryMb: z.number().int().min(128).max(3008).default(128).describe('memory of every function, MB'),
    barrierMs: z.number().int().min(0).max(30_000).default(3000).describe('barrier that keeps all instances alive at once'),
    channelRounds: z.number().int().min(0).max(100).default(1).describe('rounds (from the first) that end with the covert channel; 0: fingerprints only'),
    channelCopies: z
      .number()
      .int()
      .min(1)
      .max(MAX_CHANNEL_FRAMES / 2)
      .default(2)
      .describe('functions per tenant whose instances take part in the channel (at most functionsPerTenant); the first instance of each sends one frame'),
    channelBits: z.number().int().min(4).max(64).default(32).describe('bits per frame of the covert channel (more bits: more power against chance on a busy machine)'),
    channelBitMs: z.number().int().min(10).max(1000).default(200).describe('length of one bit, ms (disk budgets settle per 100 ms, so at least 200)'),
  }),
  docs: `Two tenants (tenant \`a\` in the primary account, tenant \`b\` in a second account, subscription or project)
each deploy identical probe functions. Every round refreshes all functions (forced cold starts) and then
invokes all of them at once behind a barrier, so that many instances of both tenants are alive together.
The analysis infers hosts from the probes' fingerprints (boot time, cgroup, CPU, kernel) and counts hosts
that carry instances of more than one tenant.

The paper confirmed co-residency with a covert channel, not fingerprints alone. So do the first
\`channelRounds\` rounds: after the launch, the instances of the first \`channelCopies\` functions of each
tenant run the covert-channel task together (label \`channel\`): one frame per function, in which that
function's first instance is the sender and every other instance a receiver (a disk-contention channel:
docs/probe.md). The analysis decodes every (sender, receiver) pair, tests its bit errors against chance,
and reports how often the channel agrees with the fingerprints, with the bit error rates of pairs the
fingerprints put on one host and on different hosts. Channel frames take \`2 × channelCopies × channelBits ×
channelBitMs\` (25.6 s by default) after the barrier.`,
  build: (p) => {
    const channelCopies = Math.min(p.channelCopies, p.functionsPerTenant);
    const launch: ScheduleItemInput[] = [refresh(), { kind: 'burst', label: 'launch', requestsPerTarget: p.instancesPerFunction, barrierMs: p.barrierMs }];
    const channel: ScheduleItemInput = {
      kind: 'burst',
      label: 'channel',
      targets: { copy: Array.from({ length: channelCopies }, (_, c) => c) },
      requestsPerTarget: p.instancesPerFunction,
      barrierMs: p.barrierMs,
      // One frame per function: request f goes to its f-th target, whose instance then sends.
      task: { name: 'covert-channel', frames: 2 * channelCopies, bits: p.channelBits, bitMs: p.channelBitMs, seed: 2018 },
    };
    const channelRounds = Math.min(p.channelRounds, p.rounds);
    return {
      id: 'isolation',
      title: 'Tenant isolation: do instances of different accounts share a host?',
      summary: 'Launch many instances from two tenants at once and look for hosts that carry both.',
      paper: { experiment: 'E1', section: '§4 (isolation; co-residency heuristics and covert-channel check)' },
      providers: providersMeasuring('isolation'),
      functions: { memoryMb: [p.memoryMb], tenant: ['a', 'b'], copies: p.functionsPerTenant, runtime: ['nodejs'] },
      schedule: [
        ...(channelRounds > 0 ? [{ kind: 'repeat' as const, times: channelRounds, steps: [...launch, channel] }] : []),
        ...(p.rounds > channelRounds ? [{ kind: 'repeat' as const, times: p.rounds - channelRounds, steps: launch }] : []),
      ],
      analysis: { kind: 'isolation' },
      claims: [
        {
          id: 'aws-no-cross-tenant-hosts',
          statement: "AWS places only one account's instances on a VM",
          provider: 'aws',
          confidence: 'R',
          source: 'recollection of the paper; matches the Firecracker paper (NSDI 2020)',
          metric: 'isolation.crossTenantHosts',
          expected: { kind: 'at-most', value: 0, unit: 'hosts' },
          minEvidence: 2,
          since2018: 'one Firecracker microVM per sandbox since ~2019: hosts are not visible as VMs any more',
        },
        {
          id: 'azure-cross-tenant-hosts',
          statement: "Azure placed different tenants' instances on one VM (exploitable placement vulnerabilities)",
          provider: 'azure',
          confidence: 'P',
          source: 'paper abstract',
          metric: 'isolation.crossTenantHosts',
          expected: { kind: 'at-least', value: 1, unit: 'hosts' },
          minEvidence: 2,
          since2018: 'cross-tenant co-location was still achieved in 2025–26 research',
        },
      ],
      budget: { maxInvocations: 2000, maxUsd: 2 },
      adapt: { memory: 'nearest' },
      parameters: { ...p },
    };
  },
});
