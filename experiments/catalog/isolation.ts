import { z } from 'zod';
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
  }),
  docs: `Two tenants (tenant \`a\` in the primary account, tenant \`b\` in a second account, subscription or project)
each deploy identical probe functions. Every round refreshes all functions (forced cold starts) and then
invokes all of them at once behind a barrier, so that many instances of both tenants are alive together.
The analysis infers hosts from the probes' fingerprints (boot time, cgroup, CPU, kernel) and counts hosts
that carry instances of more than one tenant. The paper confirmed co-residency with a memory-bus covert
channel; Curtain relies on fingerprints only, which the report states.`,
  build: (p) => ({
    id: 'isolation',
    title: 'Tenant isolation: do instances of different accounts share a host?',
    summary: 'Launch many instances from two tenants at once and look for hosts that carry both.',
    paper: { experiment: 'E1', section: '§4 (isolation; co-residency heuristics and covert-channel check)' },
    providers: providersMeasuring('isolation'),
    functions: { memoryMb: [p.memoryMb], tenant: ['a', 'b'], copies: p.functionsPerTenant, runtime: ['nodejs'] },
    schedule: [
      {
        kind: 'repeat',
        times: p.rounds,
        steps: [
          refresh(),
          { kind: 'burst', label: 'launch', requestsPerTarget: p.instancesPerFunction, barrierMs: p.barrierMs },
        ],
      },
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
  }),
});
