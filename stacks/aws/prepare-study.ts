/**
 * prepareStudy: everything about a plan's AWS deployment that can be decided
 * without CDK, and every reason to refuse it, checked before any construct is
 * made so a refusal is one clear line:
 *   - the plan is over its budget (cost or attempts);
 *   - a runtime it deploys is blocked by the provider at deploy time, or for
 *     updates before the run's expected end (runtime-lifecycle.ts);
 *   - a burst shard could outlast Lambda's 900 s timeout;
 *   - the state machine would exceed Step Functions' definition size, or a
 *     single step cannot fit one execution's history-event or duration limit
 *     (longer runs are split into executions that continue as new);
 *   - a stack would exceed CloudFormation's 500 resources.
 */
import { CAPABILITIES, CLOUD_LIMITS, describeLimit } from '../../experiments/capabilities';
import { planningDate, runtimeLifecycleFindings } from '../../experiments/runtime-lifecycle';
import { TargetRefusedError } from '../../targets/target-errors';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import type { SegmentationOptions } from '../../targets/segmentation';
import type { StateMachineDefinition } from './asl/asl-types';
import { aslSegmentation, aslShape } from './asl/bounds';
import { compilePlan } from './asl/compile-plan';
import { stepFunctionsUsage, type StepFunctionsUsage } from './asl/limits';
import { driverTimeoutProblems, driverTimeoutSeconds } from './asl/orchestration-policy';
import { studyTopology, type StudyTopology, type TopologyOptions } from './study-topology';

/** CloudFormation's resources-per-stack quota. */
export const CLOUDFORMATION_MAX_RESOURCES = CLOUD_LIMITS.aws.resourcesPerStack.value;
/** Resources a probe adds (function, log group); the rest of a stack is a fixed few dozen at most. */
const RESOURCES_PER_PROBE = 2;
const FIXED_RESOURCES = 40;

/** A plan that cannot be deployed on AWS, said in one line; exit code 2 for budget, 1 otherwise (as `curtain plan`). */
export class DeployRefusedError extends TargetRefusedError {
  override name = 'DeployRefusedError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface PreparedStudy {
  plan: StudyPlan;
  topology: StudyTopology;
  /** deployment.json of the driver, with the run's split into executions. */
  deployment: Deployment;
  definition: StateMachineDefinition;
  usage: StepFunctionsUsage;
  driverTimeoutSeconds: number;
  driverRuntime: string;
  driverMemoryMb: number;
}

export interface PrepareOptions extends TopologyOptions, SegmentationOptions {
  /**
   * What `curtain plan` takes to show this study: the catalog id (default) or
   * the definition file the study came from (a user's study has no catalog id).
   */
  planRef?: string;
  /** When the run is deployed and starts (runtime end-of-support dates are checked against it). @default planningDate() */
  now?: Date;
}

export function prepareStudy(plan: StudyPlan, options: PrepareOptions = {}): PreparedStudy {
  const study = plan.study.id;
  const planRef = options.planRef ?? study;
  if (plan.provider !== 'aws') throw new DeployRefusedError(`study ${study}: the plan is for ${plan.provider}, not aws`, 1);
  if (plan.budget.verdict === 'over') {
    throw new DeployRefusedError(
      `study ${study} is over budget on aws: ${plan.budget.reasons.join('; ')}; raise the limit with -c budget=<usd> (see \`npx curtain plan ${shellWord(planRef)} --provider aws\`)`,
      2,
    );
  }
  const lifecycle = runtimeLifecycleFindings(plan, options.now ?? planningDate());
  if (lifecycle.refusals.length > 0) throw new DeployRefusedError(`study ${study} cannot be deployed on aws now: ${lifecycle.refusals.join('; ')}`, 1);
  const timeoutProblems = driverTimeoutProblems(plan);
  if (timeoutProblems.length > 0) {
    throw new DeployRefusedError(`study ${study} cannot run on aws: ${timeoutProblems.join('; ')} (${describeLimit(CLOUD_LIMITS.aws.lambdaTimeoutSeconds)}); shorten the burst (barrier, requests per shard, timeout, retries)`, 1);
  }

  const topology = studyTopology(plan, options);
  for (const placement of [topology.primary, ...topology.others]) {
    if (!placement) continue;
    const estimate = FIXED_RESOURCES + RESOURCES_PER_PROBE * placement.functions.length;
    if (estimate > CLOUDFORMATION_MAX_RESOURCES) {
      throw new DeployRefusedError(
        `study ${study}: stack ${placement.stackName} would hold about ${estimate} resources for ${placement.functions.length} probes, over ${describeLimit(CLOUD_LIMITS.aws.resourcesPerStack)}; deploy fewer functions (memory sizes × runtimes × copies)`,
        1,
      );
    }
  }

  const segmentation = (() => {
    try {
      return aslSegmentation(plan, aslShape(plan, topology.aslTargets.updateRoles), { maxStepsPerSegment: options.maxStepsPerSegment });
    } catch (error) {
      if (error instanceof TargetRefusedError) throw new DeployRefusedError(error.message, 1);
      throw error;
    }
  })();
  const definition = compilePlan(plan, topology.aslTargets, { segmentation });
  const usage = stepFunctionsUsage(plan, definition, segmentation);
  if (usage.exceeded.length > 0) {
    throw new DeployRefusedError(`study ${study} exceeds Step Functions limits: ${usage.exceeded.join('; ')}`, 1);
  }
  const updateRoles = topology.aslTargets.updateRoles ?? {};
  const deployment: Deployment = {
    ...topology.deployment,
    orchestration: { handOverAt: [...segmentation.handOverAt], ...(Object.keys(updateRoles).length > 0 ? { updateRoles } : {}) },
  };
  const caps = CAPABILITIES.aws;
  return {
    plan,
    topology,
    deployment,
    definition,
    usage,
    driverTimeoutSeconds: driverTimeoutSeconds(plan),
    driverRuntime: caps.hosting[plan.hosting]?.runtimes.nodejs ?? caps.hosting[caps.defaultHosting]!.runtimes.nodejs,
    driverMemoryMb: caps.driverMemoryMb,
  };
}

/** A word the shell passes through unchanged: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
