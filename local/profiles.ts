/**
 * Platform profiles: the behaviour of the embedded local platform, modelled on
 * what the paper reported for each cloud in 2018 plus a present-day default.
 *
 * Every knob carries its source in `sources` (confidence labels:
 * [P] the paper's words, [C] the authors' code, [S] a second-hand summary,
 * [R] recollection) or says plainly that it is a modelling choice. The values
 * are the platform's ground truth: tests check that the analysis recovers
 * them, so they are never copied into the analysis.
 */
import { z } from 'zod';
import { problemsFromZod, ValidationError } from '../experiments/errors';
import { applyPathSets } from '../experiments/resolve-study';
import { closest } from '../experiments/suggest';
import { vcpuMapping } from '../experiments/capabilities';
import { CLOUD_PROVIDER_IDS } from '../probe-runtime/contracts/providers';
import { FaultOptions } from './faults';

/** The clouds whose capability table couples vCPU to memory: a profile can give instances their per-instance quota. */
export const VCPU_MODELS = CLOUD_PROVIDER_IDS.filter((p) => vcpuMapping(p) !== null);

/** A closed interval a value is drawn from uniformly (per instance or per host). */
const Interval = z
  .strictObject({ min: z.number().min(0), max: z.number().min(0) })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });
export type Interval = z.output<typeof Interval>;

export const PLACEMENT_POLICIES = ['binpack', 'spread', 'random', 'microvm'] as const;

export const HostType = z.strictObject({
  name: z.string().min(1),
  /** Relative share of hosts of this type. */
  weight: z.number().positive(),
  cpuModel: z.string().min(1),
  /** vCPUs the host reports in cpuinfo, and the CPU quota of the whole host where cgroups apply. */
  cpus: z.number().int().min(1).max(128),
  /** MemTotal the host reports in meminfo (the VM's memory, above the instance capacity). */
  memTotalMb: z.number().int().min(64),
  kernel: z.string().min(1),
  /** Multiplies the CPU quota of instances on this host type: < 1 models a slower ("debased") VM type. */
  cpuFactor: z.number().positive().max(1).default(1),
  /** Multiplies the host's I/O bandwidth (`io.hostMBps`): < 1 models a VM type with a slower disk. */
  ioFactor: z.number().positive().max(1).default(1),
});
export type HostType = z.output<typeof HostType>;

export const PlatformProfile = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().min(1),
  /** The cloud whose published claims a run on this profile is compared with; null for none. */
  models: z.enum(CLOUD_PROVIDER_IDS).nullable(),
  /** When the modelled platform is from, `YYYY-MM` (its billing rules then apply); null: the present. */
  modelsAsOf: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .nullable()
    .default(null),
  /**
   * Metrics whose run value a knob sets directly (knob path → metric names, docs/analysis.md): a
   * claim on one of them is judged "by construction" on this profile, because the run can only
   * give back what the knob put in (most knobs were set from the very claims they answer).
   */
  determines: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  placement: z.strictObject({
    policy: z
      .enum(PLACEMENT_POLICIES)
      .describe(
        'binpack: the oldest host with enough free memory, a new host when none has room; spread: the host with the most free memory of a pool of `poolSize`; random: a random host of the pool with room; microvm: a host per instance',
      ),
    tenancy: z.enum(['dedicated', 'shared']).describe('dedicated: a host only ever carries one tenant\'s instances; shared: tenants mix'),
    hostMemoryMb: z.number().int().min(64).describe('aggregate instance memory one host accepts, MB (not used by microvm)'),
    poolSize: z.number().int().min(1).max(10_000).default(8).describe('hosts a pool grows to before spread and random reuse them (per tenant when dedicated)'),
  }),
  hostTypes: z.array(HostType).min(1),
  identity: z.strictObject({
    hostname: z.enum(['ip', 'hex', 'link-local']).describe('ip: `ip-10-1-2-3` (2018 Lambda); hex: 12 random hex digits; link-local: `169.254.x.y`'),
    cgroup: z
      .enum(['sandbox-root', 'docker', 'v2'])
      .describe('lines of `proc/self/cgroup`: 2018 Lambda\'s `/sandbox-root-XXXXXX/sandbox-YYYYYY`, a Docker id, or cgroup v2\'s `0::/`'),
    hypervisorUuid: z.boolean().describe('whether `sys/hypervisor/uuid` exists (Xen)'),
    dmiProductUuid: z.boolean().describe('whether `sys/class/dmi/id/product_uuid` exists'),
    hostAgeHours: Interval.describe('how long before its first instance a VM booted, hours (a microVM boots with its instance)'),
  }),
  scaling: z.strictObject({
    accountConcurrency: z.number().int().min(1).describe('requests queued or running across the platform; past it the front door answers 429'),
    maxInstancesPerFunction: z
      .number()
      .int()
      .min(1)
      .nullable()
      .describe('live instances of a function\'s current configuration; further requests queue (null: no limit)'),
    scaleOutFraction: z
      .number()
      .gt(0)
      .max(1)
      .describe('instances started per request waiting or running: 1 = one per concurrent request; 0.5 = about half, the rest queue'),
  }),
  lifecycle: z.strictObject({
    idleTimeoutMinutes: Interval.describe('an instance idle this long is reaped, minutes (platform time, drawn per instance)'),
    maxLifetimeHours: Interval.nullable().describe('an instance this old is retired, hours (platform time, drawn per instance); null: never'),
    freezeBetweenInvocations: z.boolean().describe('SIGSTOP an instance as soon as it has answered, SIGCONT it for its next request'),
    newHostDelayMs: z.number().int().min(0).max(60_000).describe('real delay before the first cold start on a new host, ms (a VM being provisioned)'),
    initDelayMs: Interval.describe('real delay added to every cold start, ms, drawn per instance (platform provisioning beyond the process start)'),
    update: z
      .strictObject({
        mode: z.enum(['immediate', 'lazy']),
        staleWindowSeconds: z.number().min(0),
        staleProbability: z.number().min(0).max(1),
      })
      .describe(
        'after a configuration update, immediate: old instances stop serving at once; lazy: for `staleWindowSeconds` (platform time) a request finds an idle old instance with probability `staleProbability`',
      ),
  }),
  cpu: z.strictObject({
    vcpuForMemory: z
      .enum([...VCPU_MODELS, 'none'])
      .describe('per-instance CPU quota (cgroups) from memory: aws 1,769 MB per vCPU; gcp the Cloud Run table; none: only the host\'s quota'),
    unthrottledInit: z
      .boolean()
      .describe('true: apply the quota only once the instance is ready, so its initialisation runs at full speed; false: the process starts inside its cgroup, under the quota'),
    coresPerVcpu: z
      .number()
      .gt(0)
      .max(1)
      .default(1)
      .describe(
        'real CPU cores one emulated vCPU gets (every host and instance quota is multiplied by it): 1 keeps instance speeds as the clouds\' vCPUs; below 1 lets several busy hosts fit on a small machine, so hosts contend only within themselves',
      ),
  }),
  io: z
    .strictObject({
      hostMBps: z
        .number()
        .positive()
        .nullable()
        .describe('disk bandwidth of a host, MB/s (write and read, times its type\'s `ioFactor`), shared by its instances (cgroup v1 blkio throttle; synchronous and direct I/O); null: unlimited'),
      hostIops: z
        .number()
        .int()
        .positive()
        .nullable()
        .describe('disk operations per second of a host (write and read, times its type\'s `ioFactor`), shared by its instances; null: unlimited'),
    })
    .default({ hostMBps: null, hostIops: null }),
  network: z.strictObject({
    hostMbps: z
      .number()
      .positive()
      .nullable()
      .describe('bandwidth of a host\'s link for the net task, Mbit/s, shared by its instances; null: unlimited'),
  }),
  faults: FaultOptions.default(FaultOptions.parse({})),
  /** Where each value comes from, knob by knob. */
  sources: z.record(z.string(), z.string()),
});
export type PlatformProfile = z.output<typeof PlatformProfile>;
export type PlatformProfileInput = z.input<typeof PlatformProfile>;

const XEN_2018 = 'Intel(R) Xeon(R) CPU E5-2666 v3 @ 2.90GHz';

/** The idle-recycling metrics, all set by the drawn idle timeouts. */
const IDLE_METRICS = ['idle.maxSurvivedGapMinutes', 'idle.estimatedTimeoutMinutes', 'idle.recycledFractionAt26Min', 'idle.survivingFractionAt120Min', 'idle.consistentTimeout'];
/** The update-consistency metrics, all set by the lazy update's window and probability. */
const UPDATE_METRICS = ['update.staleResponses', 'update.staleFraction', 'update.staleWindowSeconds'];

export const PROFILES: Record<string, PlatformProfileInput> = {
  modern: {
    name: 'modern',
    description: 'Present-day AWS Lambda: one microVM per instance, CPU proportional to memory, a fixed idle timeout, instances frozen between requests.',
    models: null,
    placement: { policy: 'microvm', tenancy: 'dedicated', hostMemoryMb: 10_240, poolSize: 1 },
    hostTypes: [{ name: 'microvm', weight: 1, cpuModel: 'Intel(R) Xeon(R) Processor @ 2.90GHz', cpus: 2, memTotalMb: 10_240, kernel: '5.10.240-238.955.amzn2.x86_64' }],
    identity: { hostname: 'link-local', cgroup: 'v2', hypervisorUuid: false, dmiProductUuid: false, hostAgeHours: { min: 0, max: 0 } },
    scaling: { accountConcurrency: 1000, maxInstancesPerFunction: null, scaleOutFraction: 1 },
    lifecycle: {
      idleTimeoutMinutes: { min: 10, max: 10 },
      maxLifetimeHours: { min: 4, max: 8.4 },
      freezeBetweenInvocations: true,
      newHostDelayMs: 0,
      initDelayMs: { min: 0, max: 0 },
      update: { mode: 'immediate', staleWindowSeconds: 0, staleProbability: 0 },
    },
    cpu: { vcpuForMemory: 'aws', unthrottledInit: true },
    io: { hostMBps: null, hostIops: 1000 },
    network: { hostMbps: null },
    sources: {
      'placement.policy': 'one Firecracker microVM per sandbox since ~2019 (Agache et al., "Firecracker", NSDI 2020): btime identifies the microVM',
      'identity.hostAgeHours': 'a microVM boots with its sandbox (Agache et al., "Firecracker", NSDI 2020)',
      'identity.cgroup': 'modelling choice: a microVM\'s process sits at the root of its own cgroup v2 tree',
      'scaling.scaleOutFraction': 'Lambda gives each concurrent request its own execution environment (AWS documentation)',
      'scaling.accountConcurrency': 'Lambda default concurrency quota, 1,000 (experiments/capabilities.ts)',
      'lifecycle.idleTimeoutMinutes': 'a fixed ~10 min from mid-2019 [S] (second-hand reports of a change after the paper; not in it)',
      'lifecycle.maxLifetimeHours': 'no newer source: assumed unchanged from 2018 (median 6.2 h [S])',
      'lifecycle.freezeBetweenInvocations': 'Lambda freezes the execution environment between invocations (AWS documentation)',
      'cpu.vcpuForMemory': '1,769 MB = one vCPU (AWS Lambda documentation, "Configure Lambda function memory")',
      'cpu.unthrottledInit': 'modelling choice: initialisation at full speed, as widely reported for Lambda [R]',
      hostTypes: 'illustrative CPU model and kernel of a present-day Lambda microVM',
      'network.hostMbps': 'modelling choice: no shared host interface is visible from a microVM',
      'io.hostMBps': 'modelling choice: no disk shared with other instances is visible from a microVM',
      'io.hostIops': 'modelling choice: Firecracker rate-limits each microVM\'s block device; 1,000 operations/s',
    },
  },
  'aws-2018': {
    name: 'aws-2018',
    description: 'AWS Lambda as measured in 2018: instances bin-packed by memory into 3,328 MB VMs dedicated to one account, 27-minute idle timeout, 2018 sandbox-root cgroups.',
    models: 'aws',
    modelsAsOf: '2018-01',
    determines: {
      'placement.policy': ['placement.binPacked', 'placement.hostsPerMinimum'],
      'placement.hostMemoryMb': ['placement.maxHostMemoryMb'],
      'placement.tenancy': ['isolation.crossTenantHosts', 'isolation.crossTenantInstanceFraction'],
      'scaling.scaleOutFraction': ['scalability.instanceRatioAtMax'],
      'lifecycle.idleTimeoutMinutes': IDLE_METRICS,
      'lifecycle.maxLifetimeHours': ['lifetime.medianHours'],
      'lifecycle.newHostDelayMs': ['coldstart.newHostPenaltyMs'],
      'lifecycle.update': UPDATE_METRICS,
      'lifecycle.freezeBetweenInvocations': ['accounting.unbilledWorkRatio'],
      'cpu.vcpuForMemory': ['cpuShare.memoryCorrelation', 'cpuShare.sharePerGb'],
    },
    placement: { policy: 'binpack', tenancy: 'dedicated', hostMemoryMb: 3328, poolSize: 8 },
    hostTypes: [{ name: 'xen-vm', weight: 1, cpuModel: XEN_2018, cpus: 2, memTotalMb: 3840, kernel: '4.14.47-56.37.amzn1.x86_64' }],
    identity: { hostname: 'ip', cgroup: 'sandbox-root', hypervisorUuid: true, dmiProductUuid: false, hostAgeHours: { min: 1, max: 72 } },
    scaling: { accountConcurrency: 1000, maxInstancesPerFunction: null, scaleOutFraction: 1 },
    lifecycle: {
      idleTimeoutMinutes: { min: 21, max: 27 },
      maxLifetimeHours: { min: 4, max: 8.4 },
      freezeBetweenInvocations: true,
      newHostDelayMs: 39,
      initDelayMs: { min: 0, max: 0 },
      update: { mode: 'lazy', staleWindowSeconds: 10, staleProbability: 0.5 },
    },
    cpu: { vcpuForMemory: 'aws', unthrottledInit: true },
    io: { hostMBps: 100, hostIops: 1000 },
    network: { hostMbps: 1000 },
    sources: {
      'placement.policy': 'AWS bin-packs instances onto VMs [P, abstract]',
      'placement.hostMemoryMb': 'most aggregate instance memory on one VM: 3,328 MB [S]',
      'placement.tenancy': "a VM hosts one account's instances only [R, matches the Firecracker paper]",
      'identity.cgroup': '/proc/self/cgroup held /sandbox-root-XXXXXX/sandbox-YYYY, shared by a VM [C]',
      'identity.hostname': 'hostname ip-a-b-c-d, the VM private IP [C]',
      'identity.hypervisorUuid': '2018 Lambda ran on Xen EC2 VMs, which expose /sys/hypervisor/uuid [R]',
      'scaling.scaleOutFraction': 'AWS scaled best: one instance per concurrent request [P]',
      'scaling.accountConcurrency': 'Lambda default concurrency quota, 1,000 (experiments/capabilities.ts)',
      'lifecycle.idleTimeoutMinutes': 'max idle 27 min, 80 % recycled at 26 min [S]: uniform 21-27 min recycles 83 % by 26 min',
      'lifecycle.maxLifetimeHours': 'median lifetime 6.2 h [S]: uniform 4-8.4 h has that median',
      'lifecycle.newHostDelayMs': 'a cold start on a new VM took a median 39 ms longer than on a reused VM [S]',
      'lifecycle.update': 'requests reached instances with the old configuration for a while [R]; window and probability are modelling choices',
      'lifecycle.freezeBetweenInvocations': 'AWS freezes an instance when its handler returns [R]',
      'cpu.vcpuForMemory': 'CPU share roughly proportional to memory [R]; 1,769 MB per vCPU from present-day AWS documentation',
      'network.hostMbps': 'modelling choice: one 1 Gbit/s interface per VM, shared by co-resident instances (the paper saw up to 19x contention [P])',
      'io.hostMBps': 'modelling choice: one 100 MB/s disk per VM, shared by co-resident instances (the paper saw up to 19x worse I/O from co-residents [P])',
      'io.hostIops': 'modelling choice: 1,000 operations/s per VM disk (an EBS gp2 volume of 334 GB at 3 per GB, AWS documentation); a 128 MB instance\'s CPU share can spend them (the covert channel does)',
      hostTypes: 'illustrative 2018 EC2 (Xen) CPU model and Amazon Linux kernel',
    },
  },
  'azure-2018': {
    name: 'azure-2018',
    description: 'Azure Functions (Consumption) as measured in 2018: hosts shared across tenants, at most ~10 instances per function, 55 % of instances on a slower VM type, no consistent idle timeout.',
    models: 'azure',
    modelsAsOf: '2018-01',
    determines: {
      'placement.tenancy': ['isolation.crossTenantHosts', 'isolation.crossTenantInstanceFraction'],
      'scaling.maxInstancesPerFunction': ['scalability.maxInstances'],
      hostTypes: ['contention.debasedInstanceFraction'],
      'lifecycle.idleTimeoutMinutes': IDLE_METRICS,
      'lifecycle.initDelayMs': ['coldstart.coldMedianMs', 'coldstart.naturalColdMedianMs'],
      'lifecycle.freezeBetweenInvocations': ['accounting.unbilledWorkRatio'],
    },
    placement: { policy: 'random', tenancy: 'shared', hostMemoryMb: 7168, poolSize: 6 },
    hostTypes: [
      { name: 'debased', weight: 0.55, cpuModel: 'AMD Opteron(tm) Processor 4171 HE', cpus: 1, memTotalMb: 7168, kernel: '4.15.0-1013-azure', cpuFactor: 0.5, ioFactor: 0.4 },
      { name: 'standard', weight: 0.45, cpuModel: 'Intel(R) Xeon(R) CPU E5-2673 v3 @ 2.40GHz', cpus: 2, memTotalMb: 7168, kernel: '4.15.0-1013-azure' },
    ],
    identity: { hostname: 'hex', cgroup: 'docker', hypervisorUuid: false, dmiProductUuid: true, hostAgeHours: { min: 1, max: 240 } },
    scaling: { accountConcurrency: 200, maxInstancesPerFunction: 10, scaleOutFraction: 1 },
    lifecycle: {
      idleTimeoutMinutes: { min: 5, max: 60 },
      maxLifetimeHours: null,
      freezeBetweenInvocations: false,
      newHostDelayMs: 0,
      initDelayMs: { min: 2500, max: 4500 },
      update: { mode: 'immediate', staleWindowSeconds: 0, staleProbability: 0 },
    },
    cpu: { vcpuForMemory: 'none', unthrottledInit: false },
    io: { hostMBps: 60, hostIops: 500 },
    network: { hostMbps: 1000 },
    sources: {
      'placement.tenancy': "different tenants' instances shared a VM [P, abstract]",
      'placement.policy': 'modelling choice: random placement over a small pool of VMs',
      'scaling.maxInstancesPerFunction': 'at most ~10 concurrent instances per function [S]',
      'scaling.accountConcurrency': 'Consumption plan scale-out limit of 200 instances (experiments/capabilities.ts)',
      hostTypes: '55 % of instances on a VM type with "debased performance" [P]; the Opteron 4171 HE as that type is [R]; its CPU at half and its disk at 40 % of the standard type\'s (cpuFactor 0.5, ioFactor 0.4) are modelling choices (the disk clearly apart from the analysis\'s debased threshold, half of the best type\'s throughput)',
      'io.hostMBps': 'modelling choice: one 60 MB/s disk per VM, shared by its instances (and tenants)',
      'io.hostIops': 'modelling choice: 500 operations/s, the limit of an Azure Standard SSD disk (Azure documentation)',
      'lifecycle.idleTimeoutMinutes': 'no consistent idle timeout [S]: a wide uniform range',
      'lifecycle.initDelayMs': 'median cold start 3,640 ms [S]: a provisioning delay of 2.5-4.5 s on top of the process start',
      'lifecycle.freezeBetweenInvocations': 'modelling choice: not reported for Azure',
      'cpu.vcpuForMemory': 'CPU share varies with co-located load [R]: no per-instance quota, only the host\'s',
      'network.hostMbps': 'modelling choice: one 1 Gbit/s interface per VM',
    },
  },
  'gcp-2018': {
    name: 'gcp-2018',
    description: 'Google Cloud Functions as measured in 2018: about half the requested instances (the rest queue), long and variable idle lifetimes, CPU proportional to memory, no freezing after the response.',
    models: 'gcp',
    modelsAsOf: '2018-01',
    determines: {
      'scaling.scaleOutFraction': ['scalability.instanceRatioAtMax'],
      'lifecycle.idleTimeoutMinutes': IDLE_METRICS,
      'lifecycle.freezeBetweenInvocations': ['accounting.unbilledWorkRatio'],
      'cpu.vcpuForMemory': ['cpuShare.memoryCorrelation', 'cpuShare.sharePerGb'],
    },
    placement: { policy: 'spread', tenancy: 'dedicated', hostMemoryMb: 16_384, poolSize: 8 },
    hostTypes: [{ name: 'gce-vm', weight: 1, cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz', cpus: 2, memTotalMb: 16_384, kernel: '4.4.0-gvisor' }],
    identity: { hostname: 'hex', cgroup: 'v2', hypervisorUuid: false, dmiProductUuid: false, hostAgeHours: { min: 1, max: 240 } },
    scaling: { accountConcurrency: 1000, maxInstancesPerFunction: null, scaleOutFraction: 0.5 },
    lifecycle: {
      idleTimeoutMinutes: { min: 30, max: 140 },
      maxLifetimeHours: null,
      freezeBetweenInvocations: false,
      newHostDelayMs: 0,
      initDelayMs: { min: 0, max: 0 },
      update: { mode: 'immediate', staleWindowSeconds: 0, staleProbability: 0 },
    },
    cpu: { vcpuForMemory: 'gcp', unthrottledInit: false },
    io: { hostMBps: 100, hostIops: 1000 },
    network: { hostMbps: 1000 },
    sources: {
      'scaling.scaleOutFraction': 'Google launched only about half of the requested instances, the rest queued [S]',
      'lifecycle.idleTimeoutMinutes': 'often > 120 min, 18 % still alive at 120 min [S]: uniform 30-140 min leaves 18 % at 120 min',
      'lifecycle.freezeBetweenInvocations': 'an instance kept working after the request at almost no cost [P, abstract]',
      'cpu.vcpuForMemory': 'CPU proportional to memory [R]; values from the Cloud Run table (experiments/capabilities.ts)',
      'cpu.unthrottledInit': 'cold start fell from 493 ms at 128 MB to 110 ms at 2,048 MB [S]: initialisation runs under the quota',
      'placement.policy': 'modelling choice: not reported; spread over a pool of VMs',
      hostTypes: 'illustrative GCE CPU model; gVisor reports a 4.4.0 kernel',
      'io.hostMBps': 'modelling choice: one 100 MB/s disk per VM, shared by its instances',
      'io.hostIops': 'modelling choice: 1,000 operations/s per VM disk',
      'network.hostMbps': 'modelling choice: one 1 Gbit/s interface per VM',
    },
  },
};

export const DEFAULT_PROFILE = 'modern';
export const PROFILE_NAMES = Object.keys(PROFILES);

/**
 * A built-in profile with dotted-path overrides (`lifecycle.freezeBetweenInvocations=false`),
 * validated; problems name the path.
 */
export function resolveProfile(name: string = DEFAULT_PROFILE, overrides: Record<string, unknown> = {}): PlatformProfile {
  const base = PROFILES[name];
  if (!base) {
    const near = closest(name, PROFILE_NAMES);
    throw new ValidationError('--profile', [
      { path: '', message: `unknown profile "${name}"${near.length ? `; did you mean "${near[0]}"?` : ''} (profiles: ${PROFILE_NAMES.join(', ')})` },
    ]);
  }
  const merged = applyPathSets(base, overrides);
  const result = PlatformProfile.safeParse(merged);
  if (!result.success) throw new ValidationError(`profile ${name} with --profile-set overrides`, problemsFromZod(result.error));
  return result.data;
}
