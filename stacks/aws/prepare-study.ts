/**
 * prepareStudy: everything about a plan's AWS deployment that can be decided
 * without CDK, and every reason to refuse it, checked before any construct is
 * made so a refusal is one clear line:
 *   - the plan is over its budget (cost or attempts);
 *   - a burst shard could outlast Lambda's 900 s timeout;
 *   - the state machine would exceed Step Functions' definition size or an
 *     execution its history-event limit;
 *   - a stack would exceed CloudFormation's 500 resources.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { TargetRefusedError } from '../../targets/target-errors';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { StateMachineDefinition } from './asl/asl-types';
import { updatedFunctions } from '../../experiments/plan-queries';
import { compilePlan } from './asl/compile-plan';
import { stepFunctionsUsage, type StepFunctionsUsage } from './asl/limits';
import { driverTimeoutProblems, driverTimeoutSeconds } from './asl/orchestration-policy';
import { studyTopology, type StudyTopology, type TopologyOptions } from './study-topology';

/** CloudFormation's resources-per-stack quota. */
export const CLOUDFORMATION_MAX_RESOURCES = 500;
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
  definition: StateMachineDefinition;
  usage: StepFunctionsUsage;
  driverTimeoutSeconds: number;
  driverRuntime: string;
  driverMemoryMb: number;
}

export function prepareStudy(plan: StudyPlan, options: TopologyOptions = {}): PreparedStudy {
  const study = plan.study.id;
  if (plan.provider !== 'aws') throw new DeployRefusedError(`study ${study}: the plan is for ${plan.provider}, not aws`, 1);
  if (plan.budget.verdict === 'over') {
    throw new DeployRefusedError(
      `study ${study} is over budget on aws: ${plan.budget.reasons.join('; ')}; raise the limit with -c budget=<usd> (see \`npx curtain plan ${study} --provider aws\`)`,
      2,
    );
  }
  const timeoutProblems = driverTimeoutProblems(plan);
  if (timeoutProblems.length > 0) throw new DeployRefusedError(`study ${study} cannot run on aws: ${timeoutProblems.join('; ')}`, 1);

  const topology = studyTopology(plan, options);
  for (const placement of [topology.primary, ...topology.others]) {
    if (!placement) continue;
    const estimate = FIXED_RESOURCES + RESOURCES_PER_PROBE * placement.functions.length;
    if (estimate > CLOUDFORMATION_MAX_RESOURCES) {
      throw new DeployRefusedError(
        `study ${study}: stack ${placement.stackName} would hold about ${estimate} resources for ${placement.functions.length} probes, over CloudFormation's ${CLOUDFORMATION_MAX_RESOURCES}; deploy fewer functions (memory sizes × runtimes × copies)`,
        1,
      );
    }
  }

  const definition = compilePlan(plan, topology.aslTargets);
  const usage = stepFunctionsUsage(plan, definition, updatedFunctions(plan).size);
  if (usage.exceeded.length > 0) {
    throw new DeployRefusedError(
      `study ${study} exceeds Step Functions limits: ${usage.exceeded.join('; ')}; shorten the schedule (fewer repeats or updates) or split it into several studies`,
      1,
    );
  }
  const caps = CAPABILITIES.aws;
  return {
    plan,
    topology,
    definition,
    usage,
    driverTimeoutSeconds: driverTimeoutSeconds(plan),
    driverRuntime: caps.hosting[plan.hosting]?.runtimes.nodejs ?? caps.hosting[caps.defaultHosting]!.runtimes.nodejs,
    driverMemoryMb: caps.driverMemoryMb,
  };
}
