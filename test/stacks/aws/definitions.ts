/** User-written study definitions that exercise what the catalog does not: memory and env updates, fractional waits, Python probes, a five-shard burst. */
import type { StudyDefinitionInput } from '../../../experiments/schema';

export type { StudyDefinitionInput };

export function mixedDefinition(): StudyDefinitionInput {
  return {
    id: 'mixed',
    title: 'Every kind of step',
    summary: 'Bursts, waits and all three kinds of configuration update, on Node.js and Python probes.',
    paper: { experiment: 'E9', section: 'test' },
    providers: ['aws', 'local'],
    functions: { memoryMb: [256, 512], runtime: ['nodejs', 'python'] },
    schedule: [
      { kind: 'burst', label: 'cold', requestsPerTarget: 1 },
      { kind: 'update', targets: { memoryMb: [256] }, change: { kind: 'memory', memoryMb: 1024 } },
      { kind: 'wait', seconds: 1.5 },
      { kind: 'update', targets: { runtime: ['python'] }, change: { kind: 'env', name: 'CURTAIN_MODE', value: 'second' } },
      { kind: 'burst', label: 'wide', requestsPerTarget: 120, barrierMs: 2000 },
      { kind: 'update', targets: 'all', change: { kind: 'refresh' } },
      { kind: 'burst', label: 'warm', requestsPerTarget: 2, concurrency: 2 },
    ],
    analysis: { kind: 'update-consistency' },
    budget: { maxInvocations: 10_000, maxUsd: 5 },
  };
}
