/**
 * Do periodic pings keep a function warm? One function per ping interval, all pinged on one
 * timeline anchored to the run's start, so each ping comes exactly `minutes` after the previous
 * one of its function, however long the bursts take. The report's "Per burst label" table
 * answers with the cold fraction (and its 95 % interval) per interval.
 *
 *   npx curtain validate docs/examples/keep-warm.ts
 *   npx curtain run docs/examples/keep-warm.ts --set pingMinutes=5,10,15,30
 */
import { defineStudy, PROVIDERS, param, type ScheduleItemInput } from 'curtain/study';

export default defineStudy({
  parameters: {
    pingMinutes: param.integers([5, 15], { min: 1, max: 120, description: 'ping intervals to compare, minutes' }),
    pings: param.integer(6, { min: 2, max: 200, description: 'pings per interval after the first' }),
  },
  build: (p) => {
    // Ping k of interval i at k × minutes; function copy i serves interval i.
    const times = new Map<number, { copy: number; label: string }[]>();
    p.pingMinutes.forEach((minutes, copy) => {
      for (let k = 0; k <= p.pings; k++) {
        const at = k * minutes * 60;
        // The first ping of each function finds no instance: label it apart.
        times.set(at, [...(times.get(at) ?? []), { copy, label: k === 0 ? 'first' : `ping-${minutes}m` }]);
      }
    });
    const schedule: ScheduleItemInput[] = [];
    for (const at of [...times.keys()].sort((a, b) => a - b)) {
      if (at > 0) schedule.push({ kind: 'wait', untilSeconds: at });
      for (const ping of times.get(at)!) schedule.push({ kind: 'burst', label: ping.label, targets: { copy: [ping.copy] } });
    }
    return {
      id: 'keep-warm',
      title: 'Do periodic pings keep a function warm?',
      summary: `Ping one function every ${p.pingMinutes.join(', ')} minutes (${p.pings} pings each); cold fraction per interval.`,
      paper: { experiment: 'E6', section: 'beyond the paper: keep-warm pings against the idle timeout (§4.4)' },
      providers: [...PROVIDERS],
      functions: { memoryMb: [128], copies: p.pingMinutes.length },
      schedule,
      analysis: { kind: 'coldstart' },
      claims: [
        {
          id: 'five-minute-pings-keep-warm',
          statement: 'Pinging every 5 minutes keeps a Lambda function warm',
          provider: 'aws',
          confidence: 'R',
          source: 'common keep-warm practice; an idle instance lived about 10 min since mid-2019 (paper.md, "What changed")',
          metric: 'label.ping-5m.coldFraction',
          expected: { kind: 'at-most', value: 0.1, unit: 'fraction' },
        },
        {
          id: 'fifteen-minute-pings-go-cold',
          statement: 'Pinging every 15 minutes does not keep a Lambda function warm',
          provider: 'aws',
          confidence: 'R',
          source: 'an idle instance lived about 10 min since mid-2019 (paper.md, "What changed")',
          metric: 'label.ping-15m.coldFraction',
          expected: { kind: 'at-least', value: 0.9, unit: 'fraction' },
          since2018: 'in 2018 idle instances lived 21–27 min, so 15-minute pings kept them warm then',
        },
      ],
      budget: { maxInvocations: 10_000, maxUsd: 1 },
      adapt: { memory: 'nearest' },
    };
  },
});
