/**
 * What every collector must read from each fixture tree (test/fixtures/proc),
 * written by hand from the files; the Node and the Python probe are both held to it.
 */
import type { HostFingerprint } from '../../../probe-runtime/contracts/probe-wire';
import type { CpuTimes } from '../../../probe-runtime/probe/collectors/proc-stat';

export interface FixtureExpectation {
  host: HostFingerprint;
  cpuTimes: CpuTimes | null;
}

const DOCKER_ID = '3f9c1e2d4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
const SANDBOX = '/sandbox-root-3KbN9U/sandbox-0c2d3e';
const NO_HOST: HostFingerprint = {
  bootTime: null,
  cgroup: null,
  cpuModel: null,
  cpuCount: null,
  memTotalKb: null,
  kernel: null,
  hostname: null,
  privateIp: null,
  hypervisorUuid: null,
  dmiProductUuid: null,
};

export const FIXTURE_EXPECTATIONS: Record<string, FixtureExpectation> = {
  'lambda-2018': {
    host: {
      bootTime: 1528403162,
      cgroup: [
        '9:perf_event:/',
        `8:memory:${SANDBOX}`,
        '7:hugetlb:/',
        `6:freezer:${SANDBOX}`,
        '5:devices:/',
        '4:cpuset:/',
        `3:cpu,cpuacct:${SANDBOX}`,
        `2:blkio:${SANDBOX}`,
        '1:name=systemd:/',
      ],
      cpuModel: 'Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz',
      cpuCount: 2,
      memTotalKb: 3853268,
      kernel: '4.14.47-56.37.amzn1.x86_64',
      hostname: 'ip-10-12-34-56',
      privateIp: '10.12.34.56',
      hypervisorUuid: 'ec2e1916-9099-7caf-fd21-012345abcdef',
      dmiProductUuid: null,
    },
    cpuTimes: { user: 4705, nice: 150, system: 1120, idle: 16250, iowait: 520, irq: 0, softirq: 23, steal: 95 },
  },
  'cgroup-v2': {
    host: {
      bootTime: 1795651200,
      cgroup: ['0::/'],
      cpuModel: 'Intel(R) Xeon(R) Processor @ 2.90GHz',
      cpuCount: 2,
      memTotalKb: 1940872,
      kernel: '5.10.227-239.884.amzn2.x86_64',
      hostname: '169.254.33.1',
      privateIp: '169.254.33.1',
      hypervisorUuid: null,
      dmiProductUuid: '4F0C7D2A-9B1E-4C3D-8E5F-6A7B8C9D0E1F',
    },
    cpuTimes: { user: 1201, nice: 0, system: 433, idle: 90210, iowait: 12, irq: 0, softirq: 7, steal: 310 },
  },
  'docker-v1': {
    host: {
      bootTime: 1764000000,
      cgroup: [
        ...['12:hugetlb', '11:blkio', '10:cpuset', '9:pids', '8:memory', '7:net_cls,net_prio', '6:freezer', '5:perf_event', '4:cpu,cpuacct', '3:devices'].map(
          (h) => `${h}:/docker/${DOCKER_ID}`,
        ),
        '2:rdma:/',
        `1:name=systemd:/docker/${DOCKER_ID}`,
        '0::/system.slice/containerd.service',
      ],
      cpuModel: 'AMD EPYC 7R13 Processor',
      cpuCount: 4,
      memTotalKb: 16106128,
      kernel: '5.15.0-1051-aws',
      hostname: '3f9c1e2d4b5a',
      // 169.254.1.7 comes first in the trie, but an ordinary address is preferred over link-local.
      privateIp: '172.17.0.2',
      hypervisorUuid: null,
      dmiProductUuid: null,
    },
    cpuTimes: { user: 987654, nice: 321, system: 123456, idle: 7654321, iowait: 4321, irq: 0, softirq: 2345, steal: 0 },
  },
  arm64: {
    host: {
      bootTime: 1790000000,
      cgroup: ['0::/'],
      cpuModel: 'ARM Neoverse-N1 r3p1',
      cpuCount: 2,
      memTotalKb: 3899648,
      kernel: '6.1.112-124.190.amzn2023.aarch64',
      hostname: 'ip-10-0-1-23.ec2.internal',
      privateIp: '10.0.1.23',
      hypervisorUuid: null,
      dmiProductUuid: null,
    },
    cpuTimes: { user: 5000, nice: 10, system: 2000, idle: 800000, iowait: 100, irq: 0, softirq: 50, steal: 0 },
  },
  gvisor: {
    host: {
      ...NO_HOST,
      bootTime: 1795600000,
      cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
      cpuCount: 1,
      memTotalKb: 2097152,
      kernel: '4.4.0',
    },
    cpuTimes: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  },
  garbage: { host: NO_HOST, cpuTimes: null },
};
