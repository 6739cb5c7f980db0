/** A small valid study definition that tests mutate. */
import { PROVIDERS, type StudyDefinitionInput } from '../../experiments/schema';

export function validDefinition(): StudyDefinitionInput {
  return {
    id: 'tiny',
    title: 'A tiny study',
    summary: 'Used by the tests.',
    paper: { experiment: 'E4', section: '§5' },
    providers: [...PROVIDERS],
    functions: { memoryMb: [1024], runtime: ['nodejs'] },
    schedule: [
      { kind: 'burst', label: 'cold', requestsPerTarget: 10, task: { name: 'sleep', ms: 100 } },
      { kind: 'wait', seconds: 60 },
      { kind: 'burst', label: 'warm', requestsPerTarget: 10, task: { name: 'sleep', ms: 100 } },
    ],
    analysis: { kind: 'coldstart' },
    claims: [
      {
        id: 'aws-warm',
        statement: 'warm is fast',
        provider: 'aws',
        confidence: 'P',
        source: 'test',
        metric: 'coldstart.warmMedianMs',
        expected: { kind: 'approx', value: 25, unit: 'ms' },
      },
    ],
    budget: { maxInvocations: 1000, maxUsd: 1 },
    adapt: { memory: 'provider-fixed' },
  };
}
