/**
 * What each provider can run, with the sources and the date they were read.
 *
 * The planner refuses a study a provider cannot run (and says why), or adapts it
 * only where the definition says how (`adapt.memory`). Values are the documented
 * defaults of a fresh account; quotas can often be raised, which is why limits
 * that are measured by a study (e.g. concurrency for scalability) only warn.
 */
import type { Architecture, ProviderId, Runtime } from './schema';

export interface MemoryOptions {
  /** Either a continuous range with a step, or a discrete list of sizes. */
  kind: 'range' | 'list';
  minMb: number;
  maxMb: number;
  stepMb: number;
  /** For `list`: the sizes offered. */
  sizesMb: number[];
}

export interface HostingCapabilities {
  /** Hosting plan name as users pass it with --hosting. */
  name: string;
  description: string;
  memory: MemoryOptions;
  /** Deployed runtime identifier per language runtime. */
  runtimes: Record<Runtime, string>;
  architectures: Architecture[];
  /** Longest function timeout, seconds. */
  maxTimeoutSeconds: number;
  /** Default concurrent executions (account or function-app-wide) on a fresh subscription. */
  defaultConcurrencyLimit: number;
  /** vCPU share per memory size, where the provider couples them (null when it does not expose one). */
  vcpuForMemoryMb: ((memoryMb: number) => number) | null;
}

/**
 * How a provider rounds the duration it bills, from a date on (rules change: Lambda went from
 * 100 ms to 1 ms units in December 2020). Billed = max(minimumMs, duration rounded up to incrementMs).
 */
export interface DurationBilling {
  /** First month the rule applied, `YYYY-MM`. */
  since: string;
  incrementMs: number;
  minimumMs: number;
  source: string;
}

export interface ProviderCapabilities {
  provider: ProviderId;
  displayName: string;
  defaultRegion: string;
  defaultHosting: string;
  hosting: Record<string, HostingCapabilities>;
  /** Tenants a study can use: a second tenant is a second account / subscription / project. */
  maxTenants: number;
  tenantNote: string;
  /** Configuration updates (environment, memory) the orchestrator can apply in-cloud. */
  configUpdates: boolean;
  /** Requests one driver invocation sends; larger bursts are split into shards run in parallel. */
  driverMaxRequestsPerShard: number;
  /** Memory of the driver function, MB (cost model). */
  driverMemoryMb: number;
  /** Duration billing rules, oldest first (analysis of resource accounting; the price table's increment is the latest). */
  durationBilling: DurationBilling[];
  sources: { title: string; url: string }[];
  /** When the values above were last checked against the sources. */
  checked: string;
}

const range = (minMb: number, maxMb: number, stepMb: number): MemoryOptions => ({
  kind: 'range',
  minMb,
  maxMb,
  stepMb,
  sizesMb: [],
});
const list = (sizesMb: number[]): MemoryOptions => ({
  kind: 'list',
  minMb: Math.min(...sizesMb),
  maxMb: Math.max(...sizesMb),
  stepMb: 0,
  sizesMb,
});

/** Cloud Run functions (gen2) tie CPU to memory by default; table from the Cloud Run docs. */
export function gcpVcpuForMemoryMb(memoryMb: number): number {
  if (memoryMb <= 128) return 0.083;
  if (memoryMb <= 256) return 0.167;
  if (memoryMb <= 512) return 0.333;
  if (memoryMb <= 1024) return 0.583;
  if (memoryMb <= 2048) return 1;
  if (memoryMb <= 8192) return 2;
  if (memoryMb <= 16_384) return 4;
  return 8;
}

/** Lambda allocates CPU in proportion to memory: 1,769 MB is one vCPU (AWS docs), up to 6 vCPUs. */
export function awsVcpuForMemoryMb(memoryMb: number): number {
  return Math.min(6, memoryMb / 1769);
}

export const CAPABILITIES: Record<ProviderId, ProviderCapabilities> = {
  aws: {
    provider: 'aws',
    displayName: 'AWS Lambda',
    defaultRegion: 'us-east-1',
    defaultHosting: 'lambda',
    hosting: {
      lambda: {
        name: 'lambda',
        description: 'Lambda on-demand (ZIP package), CPU proportional to memory',
        memory: range(128, 10_240, 1),
        runtimes: { nodejs: 'nodejs22.x', python: 'python3.12' },
        architectures: ['x86_64', 'arm64'],
        maxTimeoutSeconds: 900,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: awsVcpuForMemoryMb,
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second AWS account, deployed as its own stack and environment',
    configUpdates: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1024,
    durationBilling: [
      { since: '2014-11', incrementMs: 100, minimumMs: 100, source: 'rounded up to the nearest 100 ms since launch (AWS News Blog, "New for AWS Lambda – 1ms Billing Granularity", 2020-12-01)' },
      { since: '2020-12', incrementMs: 1, minimumMs: 1, source: '1 ms granularity, no minimum, from the December 2020 billing cycle (AWS What\'s New, 2020-12-01)' },
    ],
    sources: [
      { title: 'Lambda quotas', url: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' },
      { title: 'Lambda memory and CPU', url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html' },
      { title: 'Lambda runtimes and deprecations', url: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html' },
    ],
    checked: '2026-11',
  },
  gcp: {
    provider: 'gcp',
    displayName: 'Google Cloud Run functions (Cloud Functions 2nd gen)',
    defaultRegion: 'us-central1',
    defaultHosting: 'gen2',
    hosting: {
      gen2: {
        name: 'gen2',
        description: 'Cloud Functions 2nd gen on Cloud Run, one request per instance, CPU tied to memory',
        memory: list([128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768]),
        runtimes: { nodejs: 'nodejs22', python: 'python312' },
        architectures: ['x86_64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 100,
        vcpuForMemoryMb: gcpVcpuForMemoryMb,
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second Google Cloud project (a second provider alias in the stack)',
    configUpdates: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1024,
    durationBilling: [
      { since: '2017-03', incrementMs: 100, minimumMs: 100, source: 'compute time rounded up to the nearest 100 ms (Cloud Functions and Cloud Run pricing pages, read 2026-11)' },
    ],
    sources: [
      { title: 'Cloud Run functions: configure memory', url: 'https://cloud.google.com/functions/docs/configuring/memory' },
      { title: 'Cloud Run CPU limits', url: 'https://cloud.google.com/run/docs/configuring/services/cpu' },
      { title: 'Cloud Run functions quotas', url: 'https://cloud.google.com/functions/quotas' },
    ],
    checked: '2026-11',
  },
  azure: {
    provider: 'azure',
    displayName: 'Azure Functions',
    defaultRegion: 'eastus',
    defaultHosting: 'consumption',
    hosting: {
      consumption: {
        name: 'consumption',
        description: 'Consumption plan (Linux): one fixed instance size of 1.5 GB, scale-out up to 200 instances',
        memory: list([1536]),
        runtimes: { nodejs: 'node|22', python: 'python|3.12' },
        architectures: ['x86_64'],
        maxTimeoutSeconds: 600,
        defaultConcurrencyLimit: 200,
        vcpuForMemoryMb: null,
      },
      flex: {
        name: 'flex',
        description: 'Flex Consumption plan: instance memory 2,048 or 4,096 MB, scale-out up to 1,000 instances',
        memory: list([2048, 4096]),
        runtimes: { nodejs: 'node|22', python: 'python|3.12' },
        architectures: ['x86_64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: null,
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second Azure subscription (a second provider alias in the stack)',
    configUpdates: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1536,
    durationBilling: [
      { since: '2016-11', incrementMs: 1, minimumMs: 100, source: 'per ms with a minimum of 100 ms per execution (Azure Functions pricing page, Consumption plan; not re-checked 2026-12)' },
    ],
    sources: [
      { title: 'Azure Functions hosting options', url: 'https://learn.microsoft.com/azure/azure-functions/functions-scale' },
      { title: 'Flex Consumption plan', url: 'https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan' },
      { title: 'Azure Functions runtime versions', url: 'https://learn.microsoft.com/azure/azure-functions/functions-versions' },
    ],
    checked: '2026-11',
  },
  local: {
    provider: 'local',
    displayName: 'Curtain embedded local platform (emulated hosts, real processes)',
    defaultRegion: 'local',
    defaultHosting: 'emulated',
    hosting: {
      emulated: {
        name: 'emulated',
        description: 'Real probe processes on emulated hosts; see docs/local-platform.md',
        memory: range(64, 32_768, 1),
        runtimes: { nodejs: 'node', python: 'python3' },
        architectures: ['x86_64', 'arm64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: awsVcpuForMemoryMb,
      },
    },
    maxTenants: 4,
    tenantNote: 'tenants are labels on the local platform; placement policy decides whether they share hosts',
    configUpdates: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 0,
    durationBilling: [{ since: '2018-01', incrementMs: 1, minimumMs: 0, source: 'the local platform bills nothing; durations are counted to the millisecond' }],
    sources: [{ title: 'docs/local-platform.md', url: 'docs/local-platform.md' }],
    checked: '2026-11',
  },
};

/** Whether a memory size can be configured as is. */
export function memorySupported(options: MemoryOptions, memoryMb: number): boolean {
  if (options.kind === 'list') return options.sizesMb.includes(memoryMb);
  return memoryMb >= options.minMb && memoryMb <= options.maxMb && (memoryMb - options.minMb) % options.stepMb === 0;
}

/** The configurable size closest to the request; ties go to the larger size (never starve a probe). */
export function nearestMemory(options: MemoryOptions, memoryMb: number): number {
  if (options.kind === 'range') {
    const clamped = Math.min(options.maxMb, Math.max(options.minMb, memoryMb));
    const steps = Math.round((clamped - options.minMb) / options.stepMb);
    return Math.min(options.maxMb, options.minMb + steps * options.stepMb);
  }
  let best = options.sizesMb[0]!;
  for (const size of options.sizesMb) {
    const d = Math.abs(size - memoryMb);
    const bestD = Math.abs(best - memoryMb);
    if (d < bestD || (d === bestD && size > best)) best = size;
  }
  return best;
}
