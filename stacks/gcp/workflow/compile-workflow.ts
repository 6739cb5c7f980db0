/**
 * StudyPlan → Google Cloud Workflows source (YAML, written with the `yaml` library).
 *
 * The workflow walks the plan instead of unrolling it, so its source has the
 * same size for any study length: it asks the driver (which carries plan.json)
 * to describe step i (probe-runtime/contracts/step-directive.ts), branches on
 * the step's kind, runs it, and goes on with what the answer says comes next.
 *
 *   start-run  → http.post (OIDC) to the driver, with the execution's argument ({run}, and the
 *                template hash where the starter passes it)
 *   each step  → http.post describe-step, then
 *     burst    → one http.post per shard, all shards in a `parallel for`,
 *                sharing one `stepStartedAt` so they share one barrier
 *     wait     → sys.sleep; a wait anchored to the run's start → sys.sleep_until
 *                the driver's `until` while it is ahead (plans with such waits only)
 *     update   → the Cloud Functions v2 connector (functions.patch, waits for
 *                the operation), sending the function's complete environment
 *                (and memory and CPU when the step changes memory)
 *   hand-over  → a new execution of this workflow (Workflow Executions API)
 *                with {run, next, segment, stepsCompleted, failures}
 *   finish-run → http.post, always: every failure is caught into `failures`
 *
 * A failed step is recorded and the walk goes on with the next one, as before.
 * Continue as new: a run is split into executions that each stay within the
 * 100,000 executed steps and one year of an execution (stepsOfStep below,
 * targets/segmentation.ts; the split is staged in the driver's deployment.json).
 *
 * Values known only at deploy time come from the workflow's user environment
 * variables (`sys.get_env`), so the source itself is static, reproducible and
 * free of Terraform interpolation. Variables assigned inside the parallel
 * branch (the shard, its error and failure record) are named only there, so
 * they are local to the branch; the one outer variable it assigns,
 * `failures`, is declared `shared` (Google refuses to deploy otherwise).
 */
import { Document } from 'yaml';
import { plannedStepSeconds } from '../../../experiments/planned-duration';
import { planTenants } from '../../../experiments/plan-queries';
import { type BurstStep, burstSendSpanMs, type PlanStep, type StudyPlan } from '../../../experiments/plan-schema';
import { CLOUD_LIMITS, ORCHESTRATION_LIMITS } from '../../../experiments/capabilities';
import { DRIVER_EVENT_VERSION } from '../../../probe-runtime/contracts/driver-event';
import { anchoredWaitBounds, isAnchoredWait } from '../../../probe-runtime/contracts/anchored-waits';
import { directiveFor, MEASURING_RUN_STARTED_AT } from '../../../probe-runtime/driver/describe-step';
import { segmentSteps, type Segmentation, type SegmentationOptions, type StepCost } from '../../../targets/segmentation';
import { TargetRefusedError } from '../../../targets/target-errors';

/** Environment variables the stack sets on the workflow. */
export const WORKFLOW_ENV = {
  driverUrl: 'CURTAIN_DRIVER_URL',
  /** Project of a tenant's functions: CURTAIN_PROJECT_A, CURTAIN_PROJECT_B. */
  project: (tenant: string) => `CURTAIN_PROJECT_${tenant.toUpperCase()}`,
} as const;

/** Workflows limits (cloud.google.com/workflows/quotas) the compiler checks. */
export const WORKFLOW_LIMITS = {
  sourceBytes: ORCHESTRATION_LIMITS.gcp.sourceBytes.value,
  stepsPerExecution: ORCHESTRATION_LIMITS.gcp.stepsPerExecution.value,
  /** HTTP request timeout of http.* calls, seconds. */
  httpTimeoutSeconds: CLOUD_LIMITS.gcp.workflowHttpTimeoutSeconds.value,
  parallelIterationsInFlight: CLOUD_LIMITS.gcp.workflowParallelInFlight.value,
} as const;

/** Timeout of a control call (start-run, describe-step, finish-run, the hand-over), seconds. */
const CONTROL_TIMEOUT_SECONDS = 300;

/** Fraction of each execution limit a segment is planned to use (the step model may miss steps Google counts). */
const SEGMENT_HEADROOM = 0.9;

/**
 * The next execution's argument must stay under 32 KiB (the Executions API);
 * with at most this many characters it does even if each took 4 bytes in
 * UTF-8. A run whose failures outgrow it stops at the hand-over, as failed.
 */
export const MAX_CARRIED_ARGUMENT_CHARS = Math.floor(ORCHESTRATION_LIMITS.gcp.argumentBytes.value / 4);

export interface CompiledWorkflow {
  yaml: string;
  /** How a run is split into executions. */
  segmentation: Segmentation;
}

export class WorkflowTooLargeError extends TargetRefusedError {
  override name = 'WorkflowTooLargeError';
  constructor(study: string, reasons: string[]) {
    super(`the Workflows definition of ${study} exceeds Google's limits: ${reasons.join('; ')}`);
  }
}

export function compileWorkflow(plan: StudyPlan, options: SegmentationOptions = {}): CompiledWorkflow {
  const segmentation = workflowSegmentation(plan, options);
  const yaml = new Document(workflowBody(plan), { aliasDuplicateObjects: false }).toString({ lineWidth: 0 });
  const bytes = Buffer.byteLength(yaml);
  if (bytes > WORKFLOW_LIMITS.sourceBytes) throw new WorkflowTooLargeError(plan.study.id, [`source is ${bytes} bytes (limit ${WORKFLOW_LIMITS.sourceBytes})`]);
  return { yaml, segmentation };
}

/**
 * How long one shard may take: its barrier, then its waves of requests, each
 * attempt bounded by the step's timeout, plus a minute of margin; capped at the
 * Workflows HTTP maximum (the driver's own timeout is the same cap).
 */
export function burstTimeoutSeconds(step: BurstStep): number {
  const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
  // Open-loop steps spread their sends over burstSendSpanMs (0 for the others).
  const ms = step.barrierMs + burstSendSpanMs(step) + waves * (1 + step.retries) * step.timeoutMs + 60_000;
  return Math.min(WORKFLOW_LIMITS.httpTimeoutSeconds, Math.ceil(ms / 1000));
}

/** The longest shard of the plan: one timeout for every shard call, so the source names no step. */
function shardTimeoutSeconds(plan: StudyPlan): number {
  return Math.max(60, ...plan.steps.map((s) => (s.kind === 'burst' ? burstTimeoutSeconds(s) : 0)));
}

// ---- executed steps (the per-execution limit) ------------------------------------------------

/**
 * Workflow steps one plan step executes at most, counting every named step
 * entered (containers, switches and the steps inside them, each parallel
 * iteration's steps), with every failure handler taken:
 *   describe, enterStep, dispatch, countStep, advance          5
 *   burst: burstInit, shards + per shard sendShard and its record   2 + 2·shards
 *   wait: sleepIfAny, sleep                                     2
 *   update: patchFunction, shape, patch, and the record         4
 * The conformance test runs the source in the evaluator and holds every step
 * to this bound.
 */
export function stepsOfStep(step: PlanStep): { typical: number; bound: number } {
  const walk = 5;
  switch (step.kind) {
    case 'burst':
      return { typical: walk + 2 + step.shards, bound: walk + 2 + 2 * step.shards };
    case 'wait':
      return { typical: walk + 2, bound: walk + 2 };
    case 'update':
      return { typical: walk + 3, bound: walk + 4 };
  }
}

/** Steps every execution runs besides the plan's: init, resume, start-run and its failure, the walk's try and failure, hand-over or finish. */
export const EXECUTION_FIXED_STEPS = { typical: 8, bound: 16 } as const;

function workflowStepCosts(plan: StudyPlan): StepCost[] {
  const control = CONTROL_TIMEOUT_SECONDS;
  const shard = shardTimeoutSeconds(plan);
  const anchoredBounds = anchoredWaitBounds(plan);
  const deployment = { v: 1 as const, provider: plan.provider, region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, `https://${f.name}-0123456789-uc.a.run.app`])) };
  return plan.steps.map((step) => {
    const steps = stepsOfStep(step);
    // The directive is held in a variable: it must leave room in the 512 KB of variables for the rest.
    const bytes = Buffer.byteLength(JSON.stringify(directiveFor({ run: '20261206T000000Z-0123456789abcdef', index: step.index }, plan, deployment, MEASURING_RUN_STARTED_AT)));
    const variableLimit = ORCHESTRATION_LIMITS.gcp.variableBytes;
    return {
      index: step.index,
      id: step.id,
      units: steps.bound,
      typicalUnits: steps.typical,
      boundSeconds: control + (step.kind === 'wait' ? (anchoredBounds.get(step.index) ?? step.seconds) : step.kind === 'burst' ? shard : control),
      expectedSeconds: plannedStepSeconds(plan.provider, step),
      problems: bytes > variableLimit.value / 4 ? [`its description is ${bytes} bytes, more than a quarter of the ${variableLimit.value}-byte variable memory (${variableLimit.source.url})`] : [],
    };
  });
}

/** How a plan's run is split into Workflows executions. */
export function workflowSegmentation(plan: StudyPlan, options: SegmentationOptions = {}): Segmentation {
  return segmentSteps(
    plan.study.id,
    workflowStepCosts(plan),
    {
      engine: 'Google Cloud Workflows',
      units: ORCHESTRATION_LIMITS.gcp.stepsPerExecution,
      seconds: ORCHESTRATION_LIMITS.gcp.executionSeconds,
      headroom: SEGMENT_HEADROOM,
      fixed: { units: EXECUTION_FIXED_STEPS.bound, typicalUnits: EXECUTION_FIXED_STEPS.typical, boundSeconds: 4 * CONTROL_TIMEOUT_SECONDS },
    },
    options,
  );
}

// ---- the source ------------------------------------------------------------------------------

const expr = (e: string) => '${' + e + '}';
const driverCall = (body: Record<string, unknown>, timeout: string | number) => ({
  call: 'http.post',
  args: { url: expr('driverUrl'), auth: { type: 'OIDC' }, timeout, body },
});
const eventCommon = (action: string) => ({
  v: DRIVER_EVENT_VERSION,
  action,
  study: expr('study'),
  run: expr('run'),
  planHash: expr('planHash'),
});
/** Appends {step, shard, message} to `failures` from the caught error `error`, through a record named `record` (both named only at this site). */
const recordFailure = (name: string, record: string, error: string, step: string, shard: string) => ({
  [name]: {
    assign: [
      { [record]: { step: expr(step), shard: expr(shard), message: expr(`default(map.get(${error}, "message"), "unknown error")`) } },
      { failures: expr(`list.concat(failures, ${record})`) },
    ],
  },
});

function workflowBody(plan: StudyPlan) {
  const burstSteps = [
    { burstInit: { assign: [{ stepStartedAt: expr('time.format(sys.now())') }] } },
    {
      shards: {
        parallel: {
          shared: ['failures'],
          concurrency_limit: WORKFLOW_LIMITS.parallelIterationsInFlight,
          for: {
            value: 'shard',
            in: expr('d.shards'),
            steps: [
              {
                sendShard: {
                  try: driverCall({ ...eventCommon('burst'), step: expr('d.step'), shard: expr('shard'), stepStartedAt: expr('stepStartedAt') }, shardTimeoutSeconds(plan)),
                  except: { as: 'shardError', steps: [recordFailure('recordShardFailure', 'shardFailure', 'shardError', 'd.index', 'shard')] },
                },
              },
            ],
          },
        },
      },
    },
  ];
  const sleep = { condition: expr('d.seconds > 0'), steps: [{ sleep: { call: 'sys.sleep', args: { seconds: expr('d.seconds') } } }] };
  // An anchored wait sleeps until the driver's `until` (ISO 8601) while it is ahead, and not at all once it
  // has passed (sys.sleep_until documents no behaviour for a past time); `default` keeps plain waits
  // from parsing a missing time. Only plans with anchored waits get the branch.
  const anchored = [
    { condition: expr('time.parse(default(map.get(d, "until"), "1970-01-01T00:00:00Z")) > sys.now()'), steps: [{ sleepUntil: { call: 'sys.sleep_until', args: { time: expr('d.until') } } }] },
    { ...sleep, condition: expr('map.get(d, "until") == null and d.seconds > 0') },
  ];
  const waitSteps = [{ sleepIfAny: { switch: plan.steps.some(isAnchoredWait) ? anchored : [sleep] } }];
  const updateSteps = [
    {
      patchFunction: {
        try: {
          steps: [
            {
              shape: {
                switch: [
                  {
                    condition: expr('d.memoryChanged'),
                    assign: [
                      { patchMask: 'serviceConfig.environmentVariables,serviceConfig.availableMemory,serviceConfig.availableCpu' },
                      { patchConfig: { environmentVariables: expr('d.env'), availableMemory: expr('string(d.memoryMb) + "Mi"'), availableCpu: expr('string(d.vcpu)') } },
                    ],
                  },
                  { condition: true, assign: [{ patchMask: 'serviceConfig.environmentVariables' }, { patchConfig: { environmentVariables: expr('d.env') } }] },
                ],
              },
            },
            {
              patch: {
                call: 'googleapis.cloudfunctions.v2.projects.locations.functions.patch',
                args: {
                  name: expr('"projects/" + map.get(projects, d.tenant) + "/locations/" + location + "/functions/" + d.name'),
                  updateMask: expr('patchMask'),
                  body: { serviceConfig: expr('patchConfig') },
                },
              },
            },
          ],
        },
        except: { as: 'updateError', steps: [recordFailure('recordUpdateFailure', 'updateFailure', 'updateError', 'd.index', 'null')] },
      },
    },
  ];

  const walkSteps = [
    {
      describe: {
        call: 'http.post',
        args: { url: expr('driverUrl'), auth: { type: 'OIDC' }, timeout: CONTROL_TIMEOUT_SECONDS, body: { ...eventCommon('describe-step'), index: expr('next') } },
        result: 'described',
      },
    },
    { enterStep: { assign: [{ d: expr('described.body') }, { failuresBefore: expr('len(failures)') }] } },
    {
      dispatch: {
        switch: [
          { condition: expr('d.kind == "burst"'), steps: burstSteps },
          { condition: expr('d.kind == "wait"'), steps: waitSteps },
          { condition: expr('d.kind == "update"'), steps: updateSteps },
          { condition: true, raise: { message: expr('"the driver described a kind of step this workflow cannot run: " + d.kind'), tags: ['ValueError'] } },
        ],
      },
    },
    { countStep: { switch: [{ condition: expr('len(failures) == failuresBefore'), assign: [{ stepsCompleted: expr('stepsCompleted + 1') }] }] } },
    { advance: { switch: [{ condition: expr('d.then == "continue"'), assign: [{ next: expr('d.next') }], next: 'describe' }, { condition: true, assign: [{ ended: expr('d.then') }] }] } },
  ];

  const handOverSteps = [
    {
      carry: {
        assign: [
          { carried: { run: expr('run'), next: expr('d.next'), segment: expr('d.nextSegment'), stepsCompleted: expr('stepsCompleted'), failures: expr('failures') } },
          { argument: expr('json.encode_to_string(carried)') },
        ],
      },
    },
    {
      fitsArgument: {
        switch: [
          {
            condition: expr(`len(argument) > ${MAX_CARRIED_ARGUMENT_CHARS}`),
            steps: [
              {
                recordTooManyFailures: {
                  assign: [
                    { carryFailure: { step: expr('d.next'), shard: null, message: `the run's failures no longer fit the next execution's argument (${ORCHESTRATION_LIMITS.gcp.argumentBytes.value} bytes); the remaining steps were not run` } },
                    { failures: expr('list.concat(failures, carryFailure)') },
                  ],
                },
              },
              { stopHere: { next: 'decideStatus' } },
            ],
          },
        ],
      },
    },
    {
      startNext: {
        try: {
          call: 'http.post',
          args: {
            url: expr('"https://workflowexecutions.googleapis.com/v1/projects/" + sys.get_env("GOOGLE_CLOUD_PROJECT_ID") + "/locations/" + location + "/workflows/" + sys.get_env("GOOGLE_CLOUD_WORKFLOW_ID") + "/executions"'),
            auth: { type: 'OAuth2' },
            timeout: CONTROL_TIMEOUT_SECONDS,
            body: { argument: expr('argument') },
          },
          result: 'startedNext',
        },
        // One attempt, never retried: a retry after a lost answer could start the next segment twice.
        except: { as: 'handOverError', steps: [recordFailure('recordHandOverFailure', 'handOverFailure', 'handOverError', 'd.next', 'null'), { handOverFailed: { next: 'decideStatus' } }] },
      },
    },
    { handedOver: { return: { run: expr('run'), status: 'handed-over', next: expr('d.next'), execution: expr('default(map.get(startedNext.body, "name"), "")') } } },
  ];

  const projects = Object.fromEntries(planTenants(plan).map((t) => [t, expr(`sys.get_env("${WORKFLOW_ENV.project(t)}")`)]));
  return {
    main: {
      params: ['args'],
      steps: [
        {
          init: {
            assign: [
              { study: plan.study.id },
              { planHash: plan.hash },
              { run: expr('args.run') },
              { driverUrl: expr(`sys.get_env("${WORKFLOW_ENV.driverUrl}")`) },
              { location: expr('sys.get_env("GOOGLE_CLOUD_LOCATION")') },
              { projects },
              { next: 0 },
              { stepsCompleted: 0 },
              { failures: [] },
              { status: 'completed' },
              { ended: '' },
              { d: null },
              { described: null },
              { failuresBefore: 0 },
              { stepStartedAt: '' },
              { patchMask: '' },
              { patchConfig: null },
            ],
          },
        },
        {
          // A continued run carries where it is and what it has recorded; it was started already.
          resume: {
            switch: [
              {
                condition: expr('map.get(args, "next") != null'),
                assign: [{ next: expr('args.next') }, { stepsCompleted: expr('args.stepsCompleted') }, { failures: expr('args.failures') }],
                next: 'walk',
              },
            ],
          },
        },
        {
          startRun: {
            // The execution's argument: {run} and, where the starter knows it, the hash of the deployed stack (run.json records it).
            try: driverCall({ ...eventCommon('start-run'), execution: expr('args') }, CONTROL_TIMEOUT_SECONDS),
            except: { as: 'startError', steps: [recordFailure('recordStartFailure', 'startFailure', 'startError', '-1', 'null'), { skipSchedule: { next: 'decideStatus' } }] },
          },
        },
        {
          walk: {
            try: { steps: walkSteps },
            // An error outside the per-step handlers (describe-step refused, an unknown kind) still closes the run.
            // `next` is the step being described or run when it happened.
            except: { as: 'walkError', steps: [recordFailure('recordWalkFailure', 'walkFailure', 'walkError', 'next', 'null')] },
          },
        },
        { handOver: { switch: [{ condition: expr('ended == "hand-over"'), steps: handOverSteps }] } },
        { decideStatus: { switch: [{ condition: expr('len(failures) > 0'), assign: [{ status: 'failed' }] }] } },
        {
          finishRun: driverCall(
            { ...eventCommon('finish-run'), status: expr('status'), stepsCompleted: expr('stepsCompleted'), failures: expr('failures') },
            CONTROL_TIMEOUT_SECONDS,
          ),
        },
        { done: { return: { run: expr('run'), status: expr('status'), stepsCompleted: expr('stepsCompleted'), failures: expr('failures') } } },
      ],
    },
  };
}
