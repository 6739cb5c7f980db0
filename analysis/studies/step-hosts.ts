/**
 * Instances seen per burst step, and their grouping by inferred host: the
 * "who was alive together where" view the placement, contention and CPU-share
 * analyses share. Each step of these studies launches its instances behind a
 * barrier, so the instances of one step coexist.
 */
import type { HostInference, InferredHost } from '../hosts/infer-hosts';
import type { InstanceInfo } from '../hosts/instance-table';

export interface HostCell {
  step: number;
  host: InferredHost;
  instances: InstanceInfo[];
  memoryMb: number;
}

export class StepInstances {
  private readonly byStep = new Map<number, Map<string, InstanceInfo>>();

  add(step: number, instance: InstanceInfo): void {
    let instances = this.byStep.get(step);
    if (!instances) this.byStep.set(step, (instances = new Map()));
    instances.set(instance.id, instance);
  }

  steps(): number[] {
    return [...this.byStep.keys()].sort((a, b) => a - b);
  }

  instancesOf(step: number): InstanceInfo[] {
    return [...(this.byStep.get(step)?.values() ?? [])];
  }

  /** (step, host) cells; instances without a host are left out and counted in `unassigned`. */
  cells(hosts: HostInference): { cells: HostCell[]; unassigned: number } {
    const cells: HostCell[] = [];
    let unassigned = 0;
    for (const step of this.steps()) {
      const byHost = new Map<string, HostCell>();
      for (const instance of this.instancesOf(step)) {
        const host = hosts.hostOf.get(instance.id);
        if (!host) {
          unassigned += 1;
          continue;
        }
        let cell = byHost.get(host.id);
        if (!cell) byHost.set(host.id, (cell = { step, host, instances: [], memoryMb: 0 }));
        cell.instances.push(instance);
        cell.memoryMb += instance.memoryMb;
      }
      cells.push(...byHost.values());
    }
    return { cells, unassigned };
  }

  /** Number of instances sharing the instance's host in that step (itself included); null without a host. */
  coResidents(hosts: HostInference): (step: number, instanceId: string) => number | null {
    const counts = new Map<string, number>();
    for (const { step, host, instances } of this.cells(hosts).cells) counts.set(`${step}|${host.id}`, instances.length);
    return (step, instanceId) => {
      const host = hosts.hostOf.get(instanceId);
      return host ? (counts.get(`${step}|${host.id}`) ?? null) : null;
    };
  }
}
