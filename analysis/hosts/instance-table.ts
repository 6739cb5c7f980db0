/**
 * One entry per function instance seen in a run, filled while records stream
 * by: which function it served, when it was first and last seen, and its host
 * fingerprint (interned: instances on one host share one copy). Memory grows
 * with the number of instances, never with the number of records.
 */
import type { HostFingerprint } from '../../probe-runtime/contracts/probe-wire';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import type { PlanIndex } from '../run/plan-index';

export interface InstanceInfo {
  id: string;
  /** Plan function key of the first request it answered. */
  target: string;
  tenant: string;
  runtime: string;
  memoryMb: number;
  /** Index into the table's fingerprints. */
  fingerprint: number;
  /** When the instance initialised, on the instance's clock (epoch ms). */
  startedAt: number;
  /** Driver clock (epoch ms). */
  firstSentAt: number;
  lastReceivedAt: number;
  /** Instance clock (epoch ms): the last time it answered. */
  lastRespondedAt: number;
  firstStep: number;
  lastStep: number;
  records: number;
  coldSeen: boolean;
}

export class InstanceTable {
  private readonly instances = new Map<string, InstanceInfo>();
  private readonly fingerprintIds = new Map<string, number>();
  private readonly fingerprintList: HostFingerprint[] = [];

  constructor(private readonly index: PlanIndex) {}

  /** Registers the instance behind an ok record (and returns it); null for records without a response. */
  add(record: InvocationRecord): InstanceInfo | null {
    const response = record.response;
    if (record.status !== 'ok' || !response) return null;
    const id = response.instance.id;
    const sentAt = record.sentAt ?? response.timing.receivedAt;
    const receivedAt = record.receivedAt ?? response.timing.respondedAt;
    let info = this.instances.get(id);
    if (!info) {
      const fn = this.index.functions.get(record.target);
      info = {
        id,
        target: record.target,
        tenant: fn?.tenant ?? '?',
        runtime: response.runtime,
        memoryMb: response.memoryMb ?? this.index.memoryAt(record.target, record.step) ?? 0,
        fingerprint: this.intern(response.host),
        startedAt: response.instance.startedAt,
        firstSentAt: sentAt,
        lastReceivedAt: receivedAt,
        lastRespondedAt: response.timing.respondedAt,
        firstStep: record.step,
        lastStep: record.step,
        records: 0,
        coldSeen: false,
      };
      this.instances.set(id, info);
    }
    info.records += 1;
    if (response.instance.cold) info.coldSeen = true;
    if (sentAt < info.firstSentAt) info.firstSentAt = sentAt;
    if (receivedAt > info.lastReceivedAt) info.lastReceivedAt = receivedAt;
    if (response.timing.respondedAt > info.lastRespondedAt) info.lastRespondedAt = response.timing.respondedAt;
    if (record.step < info.firstStep) info.firstStep = record.step;
    if (record.step > info.lastStep) info.lastStep = record.step;
    return info;
  }

  private intern(host: HostFingerprint): number {
    const key = JSON.stringify(host);
    let id = this.fingerprintIds.get(key);
    if (id === undefined) {
      id = this.fingerprintList.length;
      this.fingerprintList.push(host);
      this.fingerprintIds.set(key, id);
    }
    return id;
  }

  get(id: string): InstanceInfo | undefined {
    return this.instances.get(id);
  }

  all(): InstanceInfo[] {
    return [...this.instances.values()];
  }

  get size(): number {
    return this.instances.size;
  }

  fingerprintOf(instance: InstanceInfo): HostFingerprint {
    return this.fingerprintList[instance.fingerprint]!;
  }
}
