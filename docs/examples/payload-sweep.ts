/**
 * Invocation overhead by payload size: warm requests whose request and response carry
 * `sizesKb` of padding each, one label per size, so the report's "Per burst label" table gives
 * the median round trip per size (label.payload-<n>k.latencyMedianMs).
 *
 *   npx curtain plan docs/examples/payload-sweep.ts --provider aws --set sizesKb=1,256,4096
 */
import { defineStudy, PROVIDERS, param, type ScheduleItemInput } from 'curtain/study';

export default defineStudy({
  parameters: {
    sizesKb: param.integers([0, 64, 1024, 4096], { min: 0, max: 5 * 1024, description: 'request and response padding, KiB' }),
    requests: param.integer(20, { min: 1, max: 1000, description: 'warm requests per size' }),
  },
  build: (p) => ({
    id: 'payload-sweep',
    title: 'Round-trip latency by payload size',
    summary: `Warm requests with ${p.sizesKb.join(', ')} KiB of request and response payload.`,
    paper: { experiment: 'E4', section: 'beyond the paper: invocation overhead by payload size' },
    providers: [...PROVIDERS],
    // One request at a time: a short timeout keeps a driver shard (requests × timeout at worst) inside Lambda's 900 s.
    functions: { memoryMb: [1024], timeoutSeconds: 10 },
    schedule: [
      { kind: 'burst', label: 'warm-up' },
      ...p.sizesKb.map(
        (kb): ScheduleItemInput => ({
          kind: 'burst',
          label: `payload-${kb}k`,
          requestsPerTarget: p.requests,
          concurrency: 1,
          requestBytes: kb * 1024,
          responseBytes: kb * 1024,
        }),
      ),
    ],
    analysis: { kind: 'coldstart' },
    budget: { maxInvocations: 100_000, maxUsd: 5 },
    adapt: { memory: 'nearest' },
  }),
});
