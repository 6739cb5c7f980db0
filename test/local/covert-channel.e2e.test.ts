/**
 * The paper's co-residency confirmation on the local platform: the isolation study's covert channel
 * (probe task covert-channel) works exactly between instances that share an emulated host, through
 * the host's own disk budget (per-host blkio limits), and the analysis's fingerprint-vs-channel
 * agreement is checked against the ground truth. Needs root and the cgroup v1 blkio controller:
 * without per-host disk limits every instance shares this machine's one disk.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { analyzeRun } from '../../analysis';
import { InstanceTable } from '../../analysis/hosts/instance-table';
import { PlanIndex } from '../../analysis/run/plan-index';
import { ChannelPairs } from '../../analysis/studies/covert-channel-pairs';
import { coResidentPairs } from '../../local/ground-truth';
import { wholeDiskOf } from '../../local/io/blkio';
import { expectNoProcessLeft, okRecords, runStudy, truthInstanceOf } from './support/e2e';

const blkio = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device') && !('reason' in wholeDiskOf(os.tmpdir()));

(blkio ? describe : describe.skip)('covert channel (isolation, channel round)', () => {
  test('aws-2018: pairs on one host hear their sender, no pair across hosts does; the analysis agrees with the ground truth', async () => {
    // Two tenants of two functions with two instances each: each tenant's four 128 MB instances fill
    // one dedicated host. The study's default channel: four frames of 32 bits of 200 ms, 25.6 s.
    const run = await runStudy('isolation', { functionsPerTenant: 2, instancesPerFunction: 2, rounds: 1, channelRounds: 1, channelCopies: 2 }, { profile: 'aws-2018' });
    expect(run.result.status).toBe('completed');
    expect(run.truth.ioLimitApplied).toBe(true);
    const channelRecords = okRecords(run.records).filter((r) => r.label === 'channel');
    expect(channelRecords).toHaveLength(8);
    expect(channelRecords.every((r) => r.response.task.ok && r.response.task.values.mode === 'direct')).toBe(true);

    // Pairs decoded from the records, judged against where the platform really put each instance.
    const a = await analyzeRun(run.result.runDir);
    const pairs = new ChannelPairs();
    const table = new InstanceTable(new PlanIndex(run.result.plan));
    for (const r of channelRecords) pairs.add(r, table.add(r));
    const truthPairs = new Set(coResidentPairs(run.truth).map((p) => `${p.a}|${p.b}`));
    const platformId = (probeId: string) => truthInstanceOf(run.truth, probeId).id;
    const decoded = pairs.pairs(a.hosts);
    expect(decoded).toHaveLength(4 * 7);
    const verdicts = decoded.map((p) => {
      const [x, y] = [platformId(p.sender.id), platformId(p.receiver.id)].sort();
      return { coResident: truthPairs.has(`${x}|${y}`), heard: p.heard, errors: p.errors, contrast: p.contrast, pValue: p.pValue };
    });
    // Each sender has three co-residents among the seven receivers.
    const coResident = verdicts.filter((v) => v.coResident);
    expect(coResident).toHaveLength(12);
    // Nothing crosses hosts: no stranger is heard (each a test at 0.1 %) ...
    expect(verdicts.filter((v) => v.heard && !v.coResident)).toEqual([]);
    // ... and co-residents are: every one in a quiet run; a machine loaded to 30 by other work (two
    // cores) starves a 128 MB sender (0.072 cores) enough to drown a frame now and then (measured
    // 2026-12: 10-12 of 12 heard at loads of 17-30), so allow one frame's receivers to miss.
    expect(coResident.filter((v) => v.heard).length).toBeGreaterThanOrEqual(9);

    // The report: pairs, agreement with the fingerprints (which recover the hosts here), error rates.
    const heardShare = coResident.filter((v) => v.heard).length / 12;
    expect(a.metrics.get('isolation.channelPairs')!.value).toBe(28);
    expect(a.metrics.get('isolation.channelAgreement')!.value).toBeCloseTo((16 + 12 * heardShare) / 28, 6);
    expect(a.metrics.get('isolation.channelBitErrorRateSameHost')!.value).toBeLessThan(0.25);
    expect(a.metrics.get('isolation.channelBitErrorRateOtherHosts')!.value).toBeGreaterThan(0.3);
    expect(a.metrics.get('isolation.channelCrossTenantPairs')!.value).toBe(0);
    expectNoProcessLeft(run.truth);
  });
});
