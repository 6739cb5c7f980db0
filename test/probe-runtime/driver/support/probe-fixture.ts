/** A valid ProbeResponse for a request, as a real probe would shape it (values are fake). */
import type { ProbeRequest, ProbeResponse } from '../../../../probe-runtime/contracts/probe-wire';

export function fakeProbeResponse(request: ProbeRequest, now: number = Date.now()): ProbeResponse {
  return {
    v: 1,
    probe: 'fake@1',
    runtime: 'nodejs',
    runtimeVersion: process.version,
    instance: { id: `inst-${request.target}`, startedAt: now - 1000, invocation: 1, cold: true, tmpMarkerFound: false },
    host: {
      bootTime: 1_700_000_000,
      cgroup: ['0::/'],
      cpuModel: 'Fake CPU @ 2.0GHz',
      cpuCount: 2,
      memTotalKb: 4_000_000,
      kernel: '6.1.0-test',
      hostname: 'fake-host',
      privateIp: '10.0.0.7',
      hypervisorUuid: null,
      dmiProductUuid: null,
    },
    cpuDelta: null,
    providerIds: { fake: request.target },
    generation: 'g0',
    memoryMb: 128,
    timing: { receivedAt: now, barrierReleasedAt: request.barrierAt, taskStartedAt: now, taskEndedAt: now, respondedAt: now },
    overheadMs: { fingerprint: 0.1, total: 0.2 },
    task: { name: request.task.name, ok: true, error: null, values: {} },
  };
}
