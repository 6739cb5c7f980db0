/**
 * What each provider can run, with the sources and the date they were read.
 *
 * The planner refuses a study a provider cannot run (and says why), or adapts it
 * only where the definition says how (`adapt.memory`). Values are the documented
 * defaults of a fresh account; quotas can often be raised, which is why limits
 * that are measured by a study (e.g. concurrency for scalability) only warn.
 */
import type { AnalysisKind, Architecture, ProviderId, Runtime } from './schema';
import { chooseRelease } from './runtime-lifecycle';
import type { CloudProviderId } from '../probe-runtime/contracts/providers';

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
  /** Deployed runtime identifier per language when a study names no version: the newest GA release (runtime-lifecycle.ts). */
  runtimes: Record<Runtime, string>;
  architectures: Architecture[];
  /** Longest function timeout, seconds. */
  maxTimeoutSeconds: number;
  /** Default concurrent executions (account or function-app-wide) on a fresh subscription. */
  defaultConcurrencyLimit: number;
  /** vCPU share per memory size, where the provider couples them (null when it does not expose one). */
  vcpuForMemoryMb: ((memoryMb: number) => number) | null;
  /** Largest synchronous invocation payload, bytes, each way (the planner refuses larger payload paddings). */
  maxPayloadBytes: { request: number; response: number };
  /** Memory of the driver function on this hosting plan, MB, when the provider's default is not offered here. */
  driverMemoryMb?: number;
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
  /**
   * The orchestrator ends waits anchored to the run's start (plan wait steps with `untilSeconds`:
   * `untilSeconds`, repeat `every`, open-loop arrival chunks) at run start + untilSeconds. The
   * planner refuses such a plan for a provider without it (experiments/plan.ts). A cloud
   * orchestrator does when it waits until the `until` instant describe-step gives for such a wait
   * (docs/adding-a-provider.md, "Run-anchored waits"); its trace conformance then walks the
   * anchored-waits study (test/targets/orchestrator-conformance.test.ts).
   */
  runAnchoredWaits: boolean;
  /** Requests one driver invocation sends; larger bursts are split into shards run in parallel. */
  driverMaxRequestsPerShard: number;
  /** Memory of the driver function, MB: what the stacks deploy and the cost model prices (a hosting plan may override it). */
  driverMemoryMb: number;
  /** Duration billing rules, oldest first (analysis of resource accounting; the price table's increment is the latest). */
  durationBilling: DurationBilling[];
  /** Seconds an update takes to settle (a Cloud Functions redeploy is slow): the plan's duration estimate. */
  updateSettleSeconds: number;
  sources: { title: string; url: string }[];
  /** When the values above were last checked against the sources. */
  checked: string;
  /**
   * Analyses the platform cannot support, each with what it lacks: the planner
   * refuses such a study naming the analysis and the reason, and catalog
   * studies do not declare the provider (catalog/common.ts). @default none
   */
  notMeasurable?: Partial<Record<AnalysisKind, string>>;
}

const MiB = 1024 * 1024;
const MB = 1_000_000;

/** The local platform's payload limit, exported for its front door and the driver's HTTP answer limit. */
export const LOCAL_MAX_PAYLOAD_BYTES = { request: 6 * MiB, response: 6 * MiB } as const;

function newestRuntimes(provider: ProviderId, hosting: string): Record<Runtime, string> {
  const id = (runtime: Runtime) => {
    const release = chooseRelease(provider, hosting, runtime);
    if (!release) throw new Error(`runtime-lifecycle.ts offers no ${runtime} release for ${provider} ${hosting}`);
    return release.id;
  };
  return { nodejs: id('nodejs'), python: id('python') };
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
        runtimes: newestRuntimes('aws', 'lambda'),
        architectures: ['x86_64', 'arm64'],
        maxTimeoutSeconds: 900,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: awsVcpuForMemoryMb,
        // Lambda quotas: "Invocation payload (request and response): 6 MB each for synchronous".
        maxPayloadBytes: { request: 6 * MiB, response: 6 * MiB },
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second AWS account, deployed as its own stack and environment',
    configUpdates: true,
    runAnchoredWaits: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1024,
    durationBilling: [
      { since: '2014-11', incrementMs: 100, minimumMs: 100, source: 'rounded up to the nearest 100 ms since launch (AWS News Blog, "New for AWS Lambda – 1ms Billing Granularity", 2020-12-01)' },
      { since: '2020-12', incrementMs: 1, minimumMs: 1, source: '1 ms granularity, no minimum, from the December 2020 billing cycle (AWS What\'s New, 2020-12-01)' },
    ],
    updateSettleSeconds: 5,
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
        runtimes: newestRuntimes('gcp', 'gen2'),
        architectures: ['x86_64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 100,
        vcpuForMemoryMb: gcpVcpuForMemoryMb,
        // Cloud Run functions quotas: 32 MB HTTP request and response (2nd gen).
        maxPayloadBytes: { request: 32 * MiB, response: 32 * MiB },
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second Google Cloud project (a second provider alias in the stack)',
    configUpdates: true,
    runAnchoredWaits: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1024,
    durationBilling: [
      { since: '2017-03', incrementMs: 100, minimumMs: 100, source: 'compute time rounded up to the nearest 100 ms (Cloud Functions and Cloud Run pricing pages, read 2026-11)' },
    ],
    updateSettleSeconds: 90,
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
        description: 'Consumption plan (Linux): one fixed instance size of 1.5 GB, scale-out up to 100 instances per app, 100 apps per plan',
        memory: list([1536]),
        runtimes: newestRuntimes('azure', 'consumption'),
        architectures: ['x86_64'],
        maxTimeoutSeconds: 600,
        // Linux Consumption's scale-out limit per app (CLOUD_LIMITS.azure.consumptionInstancesPerApp); 200 is Windows'.
        defaultConcurrencyLimit: 100,
        vcpuForMemoryMb: null,
        // HTTP trigger: request bodies up to 100 MB (host maxRequestBodySize); the schema's 32 MiB ceiling binds first.
        maxPayloadBytes: { request: 100 * MB, response: 100 * MB },
      },
      flex: {
        name: 'flex',
        description: 'Flex Consumption plan: instance memory 2,048 or 4,096 MB, scale-out up to 1,000 instances',
        memory: list([2048, 4096]),
        runtimes: newestRuntimes('azure', 'flex'),
        architectures: ['x86_64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: null,
        maxPayloadBytes: { request: 100 * MB, response: 100 * MB },
        // Flex offers 2,048 and 4,096 MB instances only; the provider's 1,536 MB is Consumption's fixed size.
        driverMemoryMb: 2048,
      },
    },
    maxTenants: 2,
    tenantNote: 'the second tenant is a second Azure subscription (a second provider alias in the stack)',
    configUpdates: true,
    runAnchoredWaits: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 1536,
    durationBilling: [
      { since: '2016-11', incrementMs: 1, minimumMs: 100, source: 'per ms with a minimum of 100 ms per execution (Azure Functions pricing page, Consumption plan; not re-checked 2026-12)' },
    ],
    updateSettleSeconds: 30,
    sources: [
      { title: 'Azure Functions hosting options', url: 'https://learn.microsoft.com/azure/azure-functions/functions-scale' },
      { title: 'Flex Consumption plan', url: 'https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan' },
      { title: 'Azure Functions runtime versions', url: 'https://learn.microsoft.com/azure/azure-functions/functions-versions' },
    ],
    checked: '2026-11',
  },
  cloudflare: {
    provider: 'cloudflare',
    displayName: 'Cloudflare Workers (V8 isolates on workerd)',
    // R2 location hint: Workers run in every data centre; the results bucket has a location.
    defaultRegion: 'enam',
    defaultHosting: 'workers',
    hosting: {
      workers: {
        name: 'workers',
        description: 'Workers Paid (Standard usage model): one V8 isolate per script and location, 128 MB per isolate, CPU time billed, no memory or CPU setting',
        // Memory is not configurable: 128 MB per isolate (Workers limits, checked 2026-12-06).
        memory: list([128]),
        runtimes: {
          nodejs: chooseRelease('cloudflare', 'workers', 'nodejs')!.id,
          // Python Workers are a beta (Pyodide): listed, never chosen (offeredReleases lists GA releases only), so plans refuse Python probes.
          python: 'python_workers',
        },
        architectures: ['x86_64'],
        // Wall-clock duration of an HTTP request is unlimited; CPU time is 30 s by default, 5 min at most.
        maxTimeoutSeconds: 300,
        // Workflows: concurrent instances per account on Workers Paid; Workers themselves have no documented concurrency cap.
        defaultConcurrencyLimit: 10_000,
        vcpuForMemoryMb: null,
        // Workers limits (developers.cloudflare.com/workers/platform/limits, checked 2026-12-06): request bodies
        // up to 100 MB on Free/Pro zones (the smallest plan's limit); response bodies have no enforced limit,
        // bounded here like requests because the padding lives in a 128 MB isolate.
        maxPayloadBytes: { request: 100 * MB, response: 100 * MB },
      },
    },
    // A second tenant is a second Cloudflare account, whose Workers a driver cannot reach through
    // service bindings (bindings stay within one account); an authenticated HTTPS path is not built yet.
    maxTenants: 1,
    tenantNote: 'a second tenant would be a second Cloudflare account, whose Workers the driver\'s service bindings cannot reach',
    // Environment and refresh updates are new Worker versions; memory cannot be changed (fixed 128 MB).
    configUpdates: true,
    // The Workflow walks the plan like the other cloud orchestrators and does not yet end run-anchored waits.
    runAnchoredWaits: true,
    // A Worker invocation may make 10,000 subrequests on Workers Paid (1,000 before 2026): 100 per shard stays far inside.
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 128,
    // Workers Standard bills CPU time, not wall-clock duration: the accounting analysis divides by
    // this rule's billed duration, so on Cloudflare its ratio is against wall time rounded to 1 ms
    // and overstates what is billed whenever a request waits on I/O (docs/cloudflare.md).
    durationBilling: [
      { since: '2024-03', incrementMs: 1, minimumMs: 0, source: 'Standard usage model: CPU time billed per millisecond, no wall-clock duration charge (Workers pricing, read 2026-12-06)' },
    ],
    // A new version reaches every location within seconds (Workers gradual deployments at 100 %).
    updateSettleSeconds: 15,
    sources: [
      { title: 'Workers limits', url: 'https://developers.cloudflare.com/workers/platform/limits/' },
      { title: 'Workers pricing', url: 'https://developers.cloudflare.com/workers/platform/pricing/' },
      { title: 'Workflows limits', url: 'https://developers.cloudflare.com/workflows/reference/limits/' },
      { title: 'Workers compatibility dates', url: 'https://developers.cloudflare.com/workers/configuration/compatibility-dates/' },
      { title: 'How Workers works (isolates)', url: 'https://developers.cloudflare.com/workers/reference/how-workers-works/' },
    ],
    checked: '2026-12-06',
    // An isolate sees no /proc, no boot time, no DMI or hypervisor id and a fixed hostname: host identity is not measurable.
    notMeasurable: {
      placement: 'it needs host identity (boot time, /proc, DMI ids) to tell hosts apart, and a Workers isolate exposes none',
      contention: 'it needs to know which instances share a host (host identity), and a Workers isolate exposes none',
      'cpu-share': 'it times a CPU loop inside the instance, and Workers freeze Date.now() and performance.now() during CPU work (they advance only at I/O, a Spectre mitigation)',
      isolation: 'it needs host identity to find co-resident tenants and a second tenant (a second account the driver cannot bind to); a Workers isolate exposes no host identity',
    },
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
        runtimes: newestRuntimes('local', 'emulated'),
        architectures: ['x86_64', 'arm64'],
        maxTimeoutSeconds: 3600,
        defaultConcurrencyLimit: 1000,
        vcpuForMemoryMb: awsVcpuForMemoryMb,
        // As Lambda's, so a payload sweep that plans for AWS also runs locally; the front door and the
        // driver's answer limit derive from these values (local/platform/front-door.ts, invokers/http.ts).
        maxPayloadBytes: LOCAL_MAX_PAYLOAD_BYTES,
      },
    },
    maxTenants: 4,
    tenantNote: 'tenants are labels on the local platform; placement policy decides whether they share hosts',
    configUpdates: true,
    runAnchoredWaits: true,
    driverMaxRequestsPerShard: 100,
    driverMemoryMb: 0,
    durationBilling: [{ since: '2018-01', incrementMs: 1, minimumMs: 0, source: 'the local platform bills nothing; durations are counted to the millisecond' }],
    updateSettleSeconds: 0.5,
    sources: [{ title: 'docs/local-platform.md', url: 'docs/local-platform.md' }],
    checked: '2026-11',
  },
};

/** How a provider couples vCPU to memory on its default hosting plan; null when it does not. */
export function vcpuMapping(provider: ProviderId): ((memoryMb: number) => number) | null {
  const caps = CAPABILITIES[provider];
  return caps.hosting[caps.defaultHosting]!.vcpuForMemoryMb;
}

/** The driver's memory on a provider's hosting plan, MB. */
export function driverMemoryMb(provider: ProviderId, hosting: string): number {
  const caps = CAPABILITIES[provider];
  return caps.hosting[hosting]?.driverMemoryMb ?? caps.driverMemoryMb;
}

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

/**
 * A documented platform limit: its value, what it bounds, where it is written
 * down and when that page was read. The planner and the stacks refuse with
 * these (describeLimit names all four), and the conformance suite
 * (test/conformance/) checks every synthesized artifact against the same
 * values, so a limit is stated once.
 */
export interface DocumentedLimit {
  value: number;
  unit: string;
  /** What is limited, as a phrase ("template body size"). */
  what: string;
  source: { title: string; url: string };
  checked: string;
  /** True when the value is Curtain's own budget within a documented guidance rather than the platform's hard limit. */
  policy?: boolean;
}

const limit = (value: number, unit: string, what: string, title: string, url: string, checked = '2026-12-06'): DocumentedLimit => ({
  value,
  unit,
  what,
  source: { title, url },
  checked,
});

/** Curtain's own budget where the platform publishes guidance but no hard limit. */
const policyLimit = (value: number, unit: string, what: string, title: string, url: string): DocumentedLimit => ({ ...limit(value, unit, what, title, url), policy: true });

const CFN_QUOTAS = ['AWS CloudFormation quotas', 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html'] as const;
const SFN_QUOTAS = ['Step Functions service quotas', 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html'] as const;
const LAMBDA_QUOTAS = ['Lambda quotas', 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html'] as const;
const IAM_QUOTAS = ['IAM and AWS STS quotas', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html'] as const;
const WORKFLOWS_QUOTAS = ['Workflows quotas and limits', 'https://cloud.google.com/workflows/quotas'] as const;
const WORKERS_LIMITS = ['Cloudflare Workers limits', 'https://developers.cloudflare.com/workers/platform/limits/'] as const;
const WORKFLOWS_LIMITS = ['Cloudflare Workflows limits', 'https://developers.cloudflare.com/workflows/reference/limits/'] as const;
const AZURE_SCALE = ['Azure Functions hosting options: service limits', 'https://learn.microsoft.com/azure/azure-functions/functions-scale#service-limits'] as const;
const SFN_START = ['Step Functions API Reference: StartExecution', 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html'] as const;
const WORKFLOWS_EXECUTION = [
  'Workflow Executions API: projects.locations.workflows.executions (argument)',
  'https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions',
] as const;
const DURABLE_ETERNAL = [
  'Durable Functions: eternal orchestrations (history grows with every scheduled task; continue-as-new resets it) and best practices (large histories risk memory exceptions during replay)',
  'https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-eternal-orchestrations',
] as const;

/** Every platform limit the stacks refuse with and the conformance suite checks. */
export const CLOUD_LIMITS = {
  aws: {
    templateBytes: limit(1_000_000, 'bytes', 'CloudFormation template body size (uploaded to S3 by the CDK CLI)', ...CFN_QUOTAS),
    resourcesPerStack: limit(500, 'resources', 'CloudFormation resources per stack', ...CFN_QUOTAS),
    outputsPerStack: limit(200, 'outputs', 'CloudFormation outputs per stack', ...CFN_QUOTAS),
    parametersPerStack: limit(200, 'parameters', 'CloudFormation parameters per stack', ...CFN_QUOTAS),
    outputValueBytes: limit(4096, 'bytes', 'CloudFormation output value size', ...CFN_QUOTAS),
    stateMachineDefinitionBytes: limit(1_048_576, 'bytes', 'Step Functions state machine definition size', ...SFN_QUOTAS),
    historyEvents: limit(25_000, 'events', 'Step Functions execution history events (Standard)', ...SFN_QUOTAS),
    executionSeconds: limit(365 * 24 * 3600, 's', 'Step Functions Standard execution duration', ...SFN_QUOTAS),
    stepFunctionsPayloadBytes: limit(262_144, 'bytes', 'Step Functions input or output of a state, task or execution (UTF-8)', ...SFN_QUOTAS),
    executionNameChars: limit(80, 'characters', 'Step Functions execution name', ...SFN_START),
    lambdaTimeoutSeconds: limit(900, 's', 'Lambda function timeout', ...LAMBDA_QUOTAS),
    lambdaEnvironmentBytes: limit(4096, 'bytes', 'Lambda environment variables, all together', ...LAMBDA_QUOTAS),
    iamRoleInlinePolicyChars: limit(
      10_240,
      'characters',
      'IAM inline policies of one role, all together (whitespace not counted)',
      'IAM and AWS STS quotas',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    ),
    // CDK moves a role's statements beyond the inline quota into customer managed policies attached to the role.
    iamManagedPolicyChars: limit(6_144, 'characters', 'IAM customer managed policy size (whitespace not counted)', ...IAM_QUOTAS),
    iamManagedPoliciesPerRole: limit(10, 'policies', 'IAM managed policies attached to one role (default quota)', ...IAM_QUOTAS),
  },
  gcp: {
    workflowSourceBytes: limit(128 * 1024, 'bytes', 'Workflows source size', ...WORKFLOWS_QUOTAS),
    workflowStepsPerExecution: limit(100_000, 'steps', 'Workflows steps executed in one execution', ...WORKFLOWS_QUOTAS),
    workflowExecutionSeconds: limit(365 * 24 * 3600, 's', 'Workflows execution duration', ...WORKFLOWS_QUOTAS),
    workflowVariableBytes: limit(512 * 1024, 'bytes', 'Workflows memory of variables, arguments and events, all together', ...WORKFLOWS_QUOTAS),
    workflowArgumentBytes: limit(32 * 1024, 'bytes', 'Workflows execution argument (a JSON string)', ...WORKFLOWS_EXECUTION),
    workflowHttpTimeoutSeconds: limit(1800, 's', 'Workflows HTTP request timeout (http.* calls)', ...WORKFLOWS_QUOTAS),
    workflowParallelInFlight: limit(20, 'branches', 'Workflows concurrent branches and iterations of one parallel step', ...WORKFLOWS_QUOTAS),
    workflowAssignmentsPerStep: limit(50, 'assignments', 'Workflows assignments in one assign step', ...WORKFLOWS_QUOTAS),
    cloudRunMaxMemoryMb: limit(32_768, 'MiB', 'Cloud Run instance memory', 'Cloud Run: configure memory limits', 'https://cloud.google.com/run/docs/configuring/services/memory-limits'),
  },
  azure: {
    durableHistoryEvents: policyLimit(10_000, 'events', 'Durable Functions orchestration history events before continue-as-new (Curtain budget)', ...DURABLE_ETERNAL),
    consumptionInstancesPerApp: limit(100, 'instances', 'Linux Consumption scale-out per function app (Windows: 200)', ...AZURE_SCALE),
    consumptionAppsPerPlan: limit(100, 'apps', 'function apps per Consumption plan', ...AZURE_SCALE),
    consumptionTimeoutSeconds: limit(600, 's', 'Consumption function timeout', ...AZURE_SCALE),
    flexInstancesPerApp: limit(1000, 'instances', 'Flex Consumption scale-out per function app', ...AZURE_SCALE),
    flexAppsPerPlan: limit(1, 'apps', 'function apps per Flex Consumption plan', ...AZURE_SCALE),
    /** The pinned azurerm provider (4.55.0) validates maximum_instance_count within 40..1000. */
    flexMinimumMaximumInstanceCount: limit(
      40,
      'instances',
      'smallest maximum_instance_count the pinned azurerm provider accepts on Flex Consumption',
      'azurerm 4.55.0 function_app_flex_consumption (IntBetween(40, 1000))',
      'https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/function_app_flex_consumption',
    ),
  },
  cloudflare: {
    memoryMbPerIsolate: limit(128, 'MB', 'Worker memory per isolate (not configurable)', ...WORKERS_LIMITS),
    cpuMsPerRequest: limit(300_000, 'ms', 'CPU time per HTTP request on Workers Paid (default 30,000 ms)', ...WORKERS_LIMITS),
    subrequestsPerRequest: limit(10_000, 'subrequests', 'subrequests of one invocation on Workers Paid', ...WORKERS_LIMITS),
    environmentVariableBytes: limit(5 * 1024, 'bytes', 'size of one environment variable', ...WORKERS_LIMITS),
    scriptsPerAccount: limit(500, 'scripts', 'Workers scripts per account on Workers Paid', ...WORKERS_LIMITS),
    workflowStepsPerInstance: limit(10_000, 'steps', 'steps of one Workflow instance (default; up to 25,000 on request)', ...WORKFLOWS_LIMITS),
    workflowStepResultBytes: limit(1_048_576, 'bytes', 'result of one Workflow step', ...WORKFLOWS_LIMITS),
    workflowSleepSeconds: limit(365 * 24 * 3600, 's', 'one step.sleep of a Workflow', ...WORKFLOWS_LIMITS),
  },
} as const satisfies Record<CloudProviderId, Record<string, DocumentedLimit>>;

/** "CloudFormation template body size: 1,000,000 bytes (AWS CloudFormation quotas, <url>, checked 2026-12-06)". */
export function describeLimit(l: DocumentedLimit): string {
  return `${l.what}: ${l.value.toLocaleString('en-US')} ${l.unit} (${l.policy ? 'Curtain budget following ' : ''}${l.source.title}, ${l.source.url}, checked ${l.checked})`;
}

/**
 * The limits of one execution of each cloud's orchestrator (issue 18): runs
 * longer than one execution may hold are split into executions that continue
 * as new (targets/segmentation.ts), so these bound a step, not a study.
 */
export const ORCHESTRATION_LIMITS = {
  aws: {
    historyEvents: CLOUD_LIMITS.aws.historyEvents,
    executionSeconds: CLOUD_LIMITS.aws.executionSeconds,
    definitionBytes: CLOUD_LIMITS.aws.stateMachineDefinitionBytes,
    payloadBytes: CLOUD_LIMITS.aws.stepFunctionsPayloadBytes,
    executionNameChars: CLOUD_LIMITS.aws.executionNameChars,
  },
  gcp: {
    stepsPerExecution: CLOUD_LIMITS.gcp.workflowStepsPerExecution,
    executionSeconds: CLOUD_LIMITS.gcp.workflowExecutionSeconds,
    sourceBytes: CLOUD_LIMITS.gcp.workflowSourceBytes,
    variableBytes: CLOUD_LIMITS.gcp.workflowVariableBytes,
    argumentBytes: CLOUD_LIMITS.gcp.workflowArgumentBytes,
  },
  azure: {
    historyEvents: CLOUD_LIMITS.azure.durableHistoryEvents,
  },
  // One Workflow instance per run (no hand-over yet): a plan over these is refused (stacks/cloudflare/workflow/).
  cloudflare: {
    stepsPerInstance: CLOUD_LIMITS.cloudflare.workflowStepsPerInstance,
    stepResultBytes: CLOUD_LIMITS.cloudflare.workflowStepResultBytes,
    sleepSeconds: CLOUD_LIMITS.cloudflare.workflowSleepSeconds,
  },
} as const satisfies Record<CloudProviderId, Record<string, DocumentedLimit>>;

/**
 * Cloud Run's CPU/memory pairs (Cloud Run: configure memory limits, checked
 * 2026-12-06): a CPU value allows memory up to `maxMemoryMb` (and from
 * `minMemoryMb`); memory above 4/8/16/24 GiB needs at least 2/4/6/8 CPUs.
 */
export const CLOUD_RUN_CPU_TIERS: { cpuAtLeast: number; minMemoryMb: number; maxMemoryMb: number }[] = [
  { cpuAtLeast: 0.08, minMemoryMb: 0, maxMemoryMb: 512 },
  { cpuAtLeast: 0.5, minMemoryMb: 0, maxMemoryMb: 1024 },
  { cpuAtLeast: 1, minMemoryMb: 0, maxMemoryMb: 4096 },
  { cpuAtLeast: 2, minMemoryMb: 0, maxMemoryMb: 8192 },
  { cpuAtLeast: 4, minMemoryMb: 2048, maxMemoryMb: 16_384 },
  { cpuAtLeast: 6, minMemoryMb: 4096, maxMemoryMb: 24_576 },
  { cpuAtLeast: 8, minMemoryMb: 4096, maxMemoryMb: 32_768 },
];

/** Whether Cloud Run accepts `memoryMb` with `cpu` vCPUs; the reason when it does not. */
export function cloudRunResourceProblem(memoryMb: number, cpu: number): string | null {
  if (memoryMb > CLOUD_LIMITS.gcp.cloudRunMaxMemoryMb.value) return `memory ${memoryMb} MiB is over Cloud Run's ${CLOUD_LIMITS.gcp.cloudRunMaxMemoryMb.value} MiB`;
  const tier = [...CLOUD_RUN_CPU_TIERS].reverse().find((t) => cpu >= t.cpuAtLeast);
  if (!tier) return `${cpu} vCPU is below Cloud Run's smallest CPU (0.08)`;
  if (memoryMb > tier.maxMemoryMb || memoryMb < tier.minMemoryMb) {
    return `${cpu} vCPU allows ${tier.minMemoryMb}–${tier.maxMemoryMb} MiB on Cloud Run, not ${memoryMb} MiB`;
  }
  return null;
}
