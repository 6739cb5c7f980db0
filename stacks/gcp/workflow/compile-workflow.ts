/**
 * StudyPlan → Google Cloud Workflows source (YAML, written with the `yaml` library).
 *
 * The plan's schedule is embedded as data (`schedule`, one compact entry per
 * plan step, in order) and walked by a fixed loop, rather than unrolled into one
 * workflow step per plan step: a long study (lifetime: 1,440 steps) unrolled
 * exceeds the 128 KB source limit of Workflows, while the data form stays far
 * below it. Burst steps are deduplicated into `bursts` templates (a burst step
 * without its index and id), and the loop rebuilds the exact plan step the
 * driver expects (it refuses steps its plan does not contain).
 *
 *   start-run  → http.post (OIDC) to the driver
 *   burst      → one http.post per shard, all shards in a `parallel for`,
 *                sharing one `stepStartedAt` so they share one barrier
 *   wait       → sys.sleep
 *   update     → the Cloud Functions v2 connector (functions.patch, waits for
 *                the operation), sending the function's complete environment
 *   finish-run → http.post, always: every failure is caught into `failures`
 *
 * Values known only at deploy time come from the workflow's user environment
 * variables (`sys.get_env`), so the source itself is static, reproducible and
 * free of Terraform interpolation.
 */
import { Document } from 'yaml';
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import { DRIVER_EVENT_VERSION } from '../../../probe-runtime/contracts/driver-event';
import { TargetRefusedError } from '../../../targets/target-errors';
import { resolveUpdates } from './function-updates';

/** Environment variables the stack sets on the workflow. */
export const WORKFLOW_ENV = {
  driverUrl: 'CURTAIN_DRIVER_URL',
  /** Project of a tenant's functions: CURTAIN_PROJECT_A, CURTAIN_PROJECT_B. */
  project: (tenant: string) => `CURTAIN_PROJECT_${tenant.toUpperCase()}`,
} as const;

/** Workflows limits (cloud.google.com/workflows/quotas) the compiler checks. */
export const WORKFLOW_LIMITS = {
  sourceBytes: 128 * 1024,
  stepsPerExecution: 100_000,
  /** HTTP request timeout of http.* calls, seconds. */
  httpTimeoutSeconds: 1800,
  parallelIterationsInFlight: 20,
} as const;

/** Timeout of a control call (start-run, finish-run), seconds. */
const CONTROL_TIMEOUT_SECONDS = 300;

export type ScheduleEntry =
  | { kind: 'burst'; index: number; id: string; burst: string }
  | { kind: 'wait'; index: number; seconds: number }
  | {
      kind: 'update';
      index: number;
      id: string;
      function: string;
      projectEnv: string;
      mask: string;
      body: { serviceConfig: Record<string, unknown> };
    };

/** One distinct burst (a plan burst step without index and id) and how to send it. */
export interface BurstTemplate {
  step: Omit<BurstStep, 'index' | 'id'>;
  /** Shard numbers 0..shards-1, iterated by a parallel for. */
  shards: number[];
  /** Per-shard HTTP timeout, seconds. */
  timeout: number;
}

export interface CompiledWorkflow {
  yaml: string;
  schedule: ScheduleEntry[];
  bursts: Record<string, BurstTemplate>;
  /** Upper bound of workflow steps one execution runs (checked against the 100,000 limit). */
  maxExecutedSteps: number;
}

export interface CompileOptions {
  /** Deployed Cloud Functions name per plan function key (defaults to the plan's names). */
  functionNames?: Record<string, string>;
}

export class WorkflowTooLargeError extends TargetRefusedError {
  override name = 'WorkflowTooLargeError';
  constructor(study: string, reasons: string[]) {
    super(`the Workflows definition of ${study} exceeds Google's limits: ${reasons.join('; ')}`);
  }
}

export function compileWorkflow(plan: StudyPlan, options: CompileOptions = {}): CompiledWorkflow {
  const names = options.functionNames ?? Object.fromEntries(plan.functions.map((f) => [f.key, f.name]));
  const templates = new Map<string, { key: string; template: BurstTemplate }>();
  const updates = new Map(resolveUpdates(plan).map((u) => [u.step.index, u]));
  const schedule: ScheduleEntry[] = plan.steps.map((step): ScheduleEntry => {
    switch (step.kind) {
      case 'burst': {
        const { index, id, ...body } = step;
        const signature = JSON.stringify(body);
        let template = templates.get(signature);
        if (!template) {
          const shards = Array.from({ length: step.shards }, (_, s) => s);
          template = { key: `b${templates.size}`, template: { step: body, shards, timeout: burstTimeoutSeconds(step) } };
          templates.set(signature, template);
        }
        return { kind: 'burst', index, id, burst: template.key };
      }
      case 'wait':
        return { kind: 'wait', index: step.index, seconds: step.seconds };
      case 'update': {
        const resolved = updates.get(step.index)!;
        const serviceConfig: Record<string, unknown> = { environmentVariables: resolved.after.env };
        const mask = ['serviceConfig.environmentVariables'];
        if (resolved.memoryChanged) {
          serviceConfig.availableMemory = `${resolved.after.memoryMb}Mi`;
          serviceConfig.availableCpu = String(resolved.after.vcpu);
          mask.push('serviceConfig.availableMemory', 'serviceConfig.availableCpu');
        }
        const name = names[step.function];
        if (!name) throw new Error(`no deployed function name for plan function "${step.function}"`);
        return {
          kind: 'update',
          index: step.index,
          id: step.id,
          function: name,
          projectEnv: WORKFLOW_ENV.project(resolved.fn.tenant),
          mask: mask.join(','),
          body: { serviceConfig },
        };
      }
    }
  });

  const bursts = Object.fromEntries([...templates.values()].map((t) => [t.key, t.template]));
  const doc = new Document(workflowBody(plan, schedule, bursts), { aliasDuplicateObjects: false });
  // Compact one-line entries keep long schedules well inside the source limit.
  const scheduleNode = (doc.getIn(['main', 'steps', 0, 'init', 'assign', 3, 'schedule'], true) as { items: { flow?: boolean }[] }).items;
  for (const item of scheduleNode) item.flow = true;
  const yaml = doc.toString({ lineWidth: 0 });

  const maxExecutedSteps = estimateExecutedSteps(schedule, bursts);
  const problems: string[] = [];
  const bytes = Buffer.byteLength(yaml);
  if (bytes > WORKFLOW_LIMITS.sourceBytes) problems.push(`source is ${bytes} bytes (limit ${WORKFLOW_LIMITS.sourceBytes})`);
  if (maxExecutedSteps > WORKFLOW_LIMITS.stepsPerExecution) {
    problems.push(`an execution may run ${maxExecutedSteps} steps (limit ${WORKFLOW_LIMITS.stepsPerExecution})`);
  }
  if (problems.length > 0) throw new WorkflowTooLargeError(plan.study.id, problems);
  return { yaml, schedule, bursts, maxExecutedSteps };
}

/**
 * How long one shard may take: its barrier, then its waves of requests, each
 * attempt bounded by the step's timeout, plus a minute of margin; capped at the
 * Workflows HTTP maximum (the driver's own timeout is the same cap).
 */
export function burstTimeoutSeconds(step: BurstStep): number {
  const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
  const ms = step.barrierMs + waves * (1 + step.retries) * step.timeoutMs + 60_000;
  return Math.min(WORKFLOW_LIMITS.httpTimeoutSeconds, Math.ceil(ms / 1000));
}

function estimateExecutedSteps(schedule: ScheduleEntry[], bursts: Record<string, BurstTemplate>): number {
  // init, start, walk, status, finish, return + per entry: the loop iteration, the switch,
  // the step's own steps (burst: init + parallel + 2 per shard; others 2), the completion check.
  let steps = 10;
  for (const entry of schedule) steps += 6 + (entry.kind === 'burst' ? 2 + 3 * bursts[entry.burst]!.shards.length : 2);
  return steps;
}

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
/**
 * Appends {step, shard, message} to `failures` from the caught error held in
 * `error`, through the temporary `failure`. Inside a parallel iteration both
 * names must be the iteration's own: assigning a variable of the parent scope
 * that is not `shared` is a deployment error in Workflows.
 */
const recordFailure = (name: string, step: string, shard: string, names: { error: string; failure: string } = { error: 'e', failure: 'failure' }) => ({
  [name]: {
    assign: [
      { [names.failure]: { step: expr(step), shard: expr(shard), message: expr(`default(map.get(${names.error}, "message"), "unknown error")`) } },
      { failures: expr(`list.concat(failures, ${names.failure})`) },
    ],
  },
});

/** Names local to one shard's iteration of the parallel for (see recordFailure). */
const SHARD_LOCAL = { error: 'shardError', failure: 'shardFailure' } as const;

function workflowBody(plan: StudyPlan, schedule: ScheduleEntry[], bursts: Record<string, BurstTemplate>) {
  const burstSteps = [
    {
      burstInit: {
        assign: [
          { burst: expr('bursts[s.burst]') },
          { step: expr('burst.step') },
          { 'step.index': expr('s.index') },
          { 'step.id': expr('s.id') },
          { stepStartedAt: expr('time.format(sys.now())') },
        ],
      },
    },
    {
      shards: {
        parallel: {
          shared: ['failures'],
          concurrency_limit: WORKFLOW_LIMITS.parallelIterationsInFlight,
          for: {
            value: 'shard',
            in: expr('burst.shards'),
            steps: [
              {
                sendShard: {
                  try: driverCall(
                    { ...eventCommon('burst'), step: expr('step'), shard: expr('shard'), stepStartedAt: expr('stepStartedAt') },
                    expr('burst.timeout'),
                  ),
                  except: { as: SHARD_LOCAL.error, steps: [recordFailure('recordShardFailure', 's.index', 'shard', SHARD_LOCAL)] },
                },
              },
            ],
          },
        },
      },
    },
  ];
  const waitSteps = [{ sleep: { call: 'sys.sleep', args: { seconds: expr('s.seconds') } } }];
  const updateSteps = [
    {
      patchFunction: {
        try: {
          call: 'googleapis.cloudfunctions.v2.projects.locations.functions.patch',
          args: {
            name: expr('"projects/" + sys.get_env(s.projectEnv) + "/locations/" + location + "/functions/" + s.function'),
            updateMask: expr('s.mask'),
            body: expr('s.body'),
          },
        },
        except: { as: 'e', steps: [recordFailure('recordUpdateFailure', 's.index', 'null')] },
      },
    },
  ];

  const loop = {
    value: 's',
    in: expr('schedule'),
    steps: [
      { enterStep: { assign: [{ current: expr('s.index') }, { failuresBefore: expr('len(failures)') }] } },
      {
        dispatch: {
          switch: [
            { condition: expr('s.kind == "burst"'), steps: burstSteps },
            { condition: expr('s.kind == "wait"'), steps: waitSteps },
            { condition: expr('s.kind == "update"'), steps: updateSteps },
          ],
        },
      },
      {
        countStep: {
          switch: [
            { condition: expr('len(failures) == failuresBefore'), assign: [{ stepsCompleted: expr('stepsCompleted + 1') }] },
          ],
        },
      },
    ],
  };

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
              { schedule },
              { bursts },
              { driverUrl: expr(`sys.get_env("${WORKFLOW_ENV.driverUrl}")`) },
              { location: expr('sys.get_env("GOOGLE_CLOUD_LOCATION")') },
              { failures: [] },
              { stepsCompleted: 0 },
              { status: 'completed' },
              { current: -1 },
            ],
          },
        },
        {
          startRun: {
            try: driverCall(eventCommon('start-run'), CONTROL_TIMEOUT_SECONDS),
            except: {
              as: 'e',
              steps: [recordFailure('recordStartFailure', '-1', 'null'), { skipSchedule: { next: 'decideStatus' } }],
            },
          },
        },
        {
          walk: {
            try: {
              steps: [
                {
                  eachStep: { for: loop },
                },
              ],
            },
            // An error outside the per-step handlers still closes the run.
            except: { as: 'e', steps: [recordFailure('recordWalkFailure', 'current', 'null')] },
          },
        },
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
