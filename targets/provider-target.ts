/**
 * Contract 5, the provider target: everything Curtain needs from a provider,
 * as one type. A provider is one `ProviderTarget` in targets/registry.ts,
 * which is typed as a total record over the provider ids: adding an id
 * without a target does not compile, and a target missing a member does not
 * compile either, naming the member (docs/adding-a-provider.md).
 *
 * Targets keep heavy code (cloud SDKs, aws-cdk-lib, cdktf providers) behind
 * functions that load it on use, so reading the registry costs nothing.
 * Optional features say so explicitly (`client: { kind: 'none', reason }`),
 * as SeBS's provider interface does.
 */
import type { Construct } from 'constructs';
import type { ProviderCapabilities } from '../experiments/capabilities';
import type { StudyPlan } from '../experiments/plan-schema';
import type { PriceTable } from '../experiments/prices';
import type { DriverBundleName, ProbeBundleName } from '../probe-runtime/contracts/bundle-manifest';
import type { ProviderId } from '../probe-runtime/contracts/providers';
import type { RunOrigin } from '../probe-runtime/contracts/run-manifest';
import type { ProviderClient } from './client/provider-client';
import type { RerunCommands, RerunRequest } from './rerun';
import type { BundleSet } from '../probe-runtime/build/bundle-set';
import type { DocumentedLimit } from '../experiments/capabilities';
import type { Segmentation, SegmentationOptions } from './segmentation';

export interface ProviderTarget<P extends ProviderId = ProviderId> {
  /** The provider id: the target's key in the registry and `--provider` on the command line. */
  readonly id: P;
  /** What the provider can run (hosting plans, memory, runtimes, limits): experiments/capabilities.ts. */
  readonly capabilities: ProviderCapabilities;
  /** The dated price table the cost model uses for this provider: experiments/prices.ts. */
  readonly prices: PriceTable;
  /** The deployable bundles this target runs: its Node probe and its driver (Python probes share `probe-python`). */
  readonly bundles: { readonly probe: ProbeBundleName; readonly driver: DriverBundleName };
  /** The user's deployment options and how to check them where they enter. */
  readonly options: TargetOptions;
  /** How a plan becomes infrastructure (a CDK or CDK for Terraform stack), or runs with none. */
  readonly deployment: TargetDeployment;
  /** The plan's schedule as the target's orchestrator. */
  readonly orchestrator: OrchestratorCompiler;
  /** `curtain start` and `curtain fetch`, or why the target has none. */
  readonly client: ClientSlot;
  /**
   * The commands that rerun a published plan on this target with the same
   * study, parameters, region, hosting, budget and recorded options
   * (`curtain replan` prints them, and runs those marked executable):
   * structured argv, quoted only when printed (targets/rerun.ts).
   */
  rerunCommands(request: RerunRequest): RerunCommands;
  /** An offline twin of the target (emulators of its services) that runs a study end to end (docs/twins.md); absent where there is none yet. */
  readonly twin?: TwinRunner;
  /** The user guide for this target, relative to the repository root. */
  readonly guide: string;
}

export interface TargetOptions {
  /** Region names this provider accepts, checked where a region enters (experiments/target-names.ts: REGION_NAMES). */
  readonly region: { readonly pattern: RegExp; readonly example: string; readonly what: string };
}

export type TargetDeployment = CdkDeployment | CdktfDeployment | EmbeddedDeployment;

/** Synthesizes a stack set in-process; used by the apps, the tests and the registry-wide checks. */
export interface InfrastructureDeployment {
  /**
   * Refuses a plan this target cannot deploy (a platform limit its orchestrator
   * or stack would exceed) with TargetRefusedError, before any construct exists.
   */
  vet(plan: StudyPlan): void;
  /**
   * Synthesizes the stacks of the plans, as `deploy` would, with their policy
   * findings (empty = clean): public access, encryption, TLS, least privilege.
   */
  synthesize(plans: readonly StudyPlan[], options: SynthesizeOptions): SynthesizedStacks;
  /**
   * The study's templates where `synth` run in `cwd` wrote them (existing files
   * only), each with the file name a replication package keeps it under.
   */
  synthesizedTemplates(study: string, cwd: string): { readonly file: string; readonly name: string }[];
}

/** A target deployed with the AWS CDK (`npx cdk deploy`, cdk.json). */
export interface CdkDeployment extends InfrastructureDeployment {
  readonly kind: 'cdk';
}

/** A target deployed with CDK for Terraform (`npx cdktf deploy <provider>-<study>`, cdktf.json). */
export interface CdktfDeployment extends InfrastructureDeployment {
  readonly kind: 'cdktf';
  /** The study's stack in the cdktf app: `<provider>-<study>`. */
  stackName(study: string): string;
  /** Adds the study's stack to a cdktf App (stacks/cdktf/build-app.ts). */
  addStack(scope: Construct, name: string, props: CdktfStackProps): Construct;
  /** Policy findings of one synthesized stack's Terraform JSON (empty = clean); the cdktf app refuses a stack with findings. */
  checkPolicy(template: unknown): string[];
}

/** A target that deploys nothing: the embedded local platform runs a plan as processes on this machine. */
export interface EmbeddedDeployment {
  readonly kind: 'embedded';
  /** How a plan runs instead (printed where a deployment would be). */
  readonly instead: string;
}

export interface CdktfStackProps {
  readonly plan: StudyPlan;
  /** Code, lockfile, runtimes and options of this synthesis, for each run's run.json. @default none recorded */
  readonly origin?: RunOrigin;
  readonly bundles: BundleSet;
  /** Where function packages are staged before they are zipped. */
  readonly stagingRoot: string;
}

export interface SynthesizeOptions {
  /** The bundles to package. */
  readonly bundles: BundleSet;
  /** An empty directory for the synthesized output. */
  readonly outdir: string;
}

export interface SynthesizedStacks {
  /** Each stack's name and its template (CloudFormation or Terraform JSON). */
  readonly stacks: readonly { readonly name: string; readonly template: unknown }[];
  /** Policy findings, each naming its stack, resource and rule; empty when every stack is clean. */
  readonly findings: readonly string[];
}

export interface OrchestratorCompiler {
  /** What runs the schedule, e.g. "AWS Step Functions (ASL)". */
  readonly engine: string;
  /**
   * The orchestrator definition for a plan (ASL JSON, Workflows YAML, the plan
   * a Durable orchestrator or the local walker reads) and how a run is split
   * into executions; throws TargetRefusedError when a single step cannot fit
   * the engine's limits. Options force smaller segments (tests of hand-overs).
   */
  compile(plan: StudyPlan, options?: SegmentationOptions): CompiledOrchestrator;
}

export interface CompiledOrchestrator {
  /** `asl`, `workflows-yaml`, `plan` (interpreted by code that walks plan.json). */
  readonly format: 'asl' | 'workflows-yaml' | 'plan';
  /** The definition in that format. */
  readonly definition: unknown;
  /** Size of the deployed definition and the engine's limit on it; null where the orchestrator is code (Durable, local). */
  readonly definitionSize: { readonly bytes: number; readonly limit: DocumentedLimit } | null;
  /**
   * How a run is split into executions that continue as new (staged beside the
   * driver as deployment.json `orchestration.handOverAt`); null where the
   * orchestrator has no execution limits (the local walker).
   */
  readonly segmentation: Segmentation | null;
}

export type ClientSlot = { readonly kind: 'cloud'; create(env?: NodeJS.ProcessEnv): ProviderClient } | { readonly kind: 'none'; readonly reason: string };

/**
 * An offline twin (issue 11): the target's exact synthesized artifacts run end
 * to end against loopback emulators of its services, then fetched with the
 * target's own client into a run directory (docs/twins.md).
 */
export interface TwinRunner {
  /** What is emulated and by what. */
  readonly description: string;
  /**
   * The `curtain run` options this twin honours beyond the ones every twin
   * takes (the study, --set, --out, --run, --no-report, --json). The CLI
   * refuses the others for this target with one line, rather than ignoring them.
   */
  readonly options: readonly TwinOption[];
  run(request: TwinRunRequest): Promise<TwinRunResult>;
}

/** Options of `curtain run` that only some twins honour (by their command-line names). */
export const TWIN_OPTIONS = ['profile', 'profile-set', 'time-scale', 'seed', 'bundles', 'max-invocations'] as const;
export type TwinOption = (typeof TWIN_OPTIONS)[number];

export interface TwinRunRequest {
  /** A catalog study id or a definition file. */
  readonly study: string;
  readonly sets: Readonly<Record<string, unknown>>;
  /** Results root: the run directory is <outDir>/<study>/<run>/. */
  readonly outDir: string;
  /** Platform profile of functions the twin runs on the embedded platform (local/profiles.ts; option `profile`). @default the local default */
  readonly profile?: string;
  /** Option `profile-set`. */
  readonly profileSet?: Readonly<Record<string, unknown>>;
  /** Platform timers this many times faster (option `time-scale`). @default per study, as `curtain run` */
  readonly timeScale?: number;
  /** Option `seed`. */
  readonly seed?: number;
  /** Run the bundles of <bundles>/dist/runtime instead of building this checkout's (option `bundles`). */
  readonly bundles?: string;
  /** Override the budget's maximum attempts (option `max-invocations`). */
  readonly maxInvocations?: number;
  /** @default a new run id */
  readonly run?: string;
  /** Write the report after the fetch. */
  readonly report: boolean;
  readonly signal?: AbortSignal;
  log(line: string): void;
}

/** One cloud API call the twin served, with the identity that made it and the decision of the synthesized policies. */
export interface TwinApiCall {
  readonly identity: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

export interface TwinRunResult {
  readonly run: string;
  /** The fetched run directory, or null when the run left nothing to fetch. */
  readonly runDir: string | null;
  readonly status: 'completed' | 'failed' | 'interrupted';
  /** Why the run failed (the execution's error, denied calls, run.json's status), null when it completed. */
  readonly failure: string | null;
  readonly planned: number;
  readonly records: number;
  /** Hash of the synthesized template the twin ran; null where the twin runs the deployment's modules without a synthesized template (Cloudflare). */
  readonly templateHash: string | null;
  /** The cloud API calls, each decided by the synthesized policies; null where the twin does not evaluate permissions (Cloudflare: workerd has none to evaluate). */
  readonly calls: readonly TwinApiCall[] | null;
  readonly report: string | null;
  /** The report's verdict per claim (empty without a report). */
  readonly claims: readonly { readonly id: string; readonly verdict: string }[];
  readonly elapsedMs: number;
}
