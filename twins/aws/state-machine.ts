/**
 * The twin's Step Functions: the template's own state machine definition,
 * executed by aws-local-stepfunctions (MIT), whose Task states reach the
 * twin's services as Step Functions' integrations would, signed with the
 * state machine role's credentials:
 *   arn:aws:states:::lambda:invoke                                   Lambda Invoke (optimized integration output)
 *   arn:aws:states:::aws-sdk:lambda:<operation>                      the SDK call, its output as the SDK returns it
 *   arn:aws:states:::states:startExecution                           a next execution of this state machine, run after this one
 * Errors surface as Step Functions names them (the function's errorType, or
 * Lambda.<exception> for a service error), so the definition's Retry and
 * Catch rules act on them. A Task resource outside this list, or one with
 * Credentials (cross-account roles), is refused before the run starts.
 */
import './with-resolvers';
import { GetFunctionConfigurationCommand, InvokeCommand, type InvokeCommandOutput, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { STATE } from '../../stacks/aws/asl/compile-plan';
import type { CallLog, TwinIdentity } from './call-log';
import { TwinArtifactError } from './cloud-assembly';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const SDK_LAMBDA = 'arn:aws:states:::aws-sdk:lambda:';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

type Json = Record<string, unknown>;
interface TaskState {
  Type: 'Task';
  Resource: string;
  Credentials?: unknown;
}

export interface ExecutionOutcome {
  name: string;
  error: { name: string; cause: string } | null;
}

export interface StateMachineRunOptions {
  definition: unknown;
  stateMachineArn: string;
  identity: TwinIdentity;
  calls: CallLog;
  lambdaEndpoint: string;
  region: string;
  /** The first execution's name and input (`curtain start`: the run id and {run}). */
  name: string;
  input: Json;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Every Task state of a definition (Map and Parallel states included), by name. */
function taskStates(states: Record<string, Json>, out = new Map<string, TaskState>()): Map<string, TaskState> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') out.set(name, state as unknown as TaskState);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Json> } | undefined;
    if (processor?.States) taskStates(processor.States, out);
    for (const branch of (state.Branches as { States: Record<string, Json> }[] | undefined) ?? []) taskStates(branch.States, out);
  }
  return out;
}

class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The AWS SDK integrations the stacks use, each as the SDK call with the Task's parameters as its input. */
const sdkOperations: Record<string, (client: LambdaClient, params: Json) => Promise<{ $metadata: unknown }>> = {
  updateFunctionConfiguration: (client, params) => client.send(new UpdateFunctionConfigurationCommand(params as never)),
  getFunctionConfiguration: (client, params) => client.send(new GetFunctionConfigurationCommand(params as never)),
};

export async function runStateMachine(options: StateMachineRunOptions): Promise<ExecutionOutcome[]> {
  const definition = options.definition as { States: Record<string, Json> };
  const tasks = taskStates(definition.States);
  for (const [name, task] of tasks) {
    const known = task.Resource === LAMBDA_INVOKE || task.Resource === START_EXECUTION || (task.Resource.startsWith(SDK_LAMBDA) && task.Resource.slice(SDK_LAMBDA.length) in sdkOperations);
    if (!known) throw new TwinArtifactError(`state machine: Task state "${name}": resource ${task.Resource} is not an integration the twin serves`);
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const lambda = new LambdaClient({ region: options.region, endpoint: options.lambdaEndpoint, credentials: options.identity.credentials, maxAttempts: 1 });
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const queue: { name: string; input: Json }[] = [{ name: options.name, input: options.input }];
  const outcomes: ExecutionOutcome[] = [];
  const sdkError = (error: unknown) => {
    const e = error as { name?: string; message?: string };
    return new TaskError(`Lambda.${e.name ?? 'Unknown'}`, e.message ?? String(error));
  };

  try {
    while (queue.length > 0) {
      const { name, input } = queue.shift()!;
      const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const [state, task] of tasks) {
        handlers[state] = async (raw) => {
          const params = raw as Json;
          if (params.Credentials !== undefined || task.Credentials !== undefined) {
            throw new TwinArtifactError(`state machine: Task state "${state}" assumes another role (Credentials): cross-account runs are not modelled by the twin`);
          }
          if (task.Resource === LAMBDA_INVOKE) {
            let out: InvokeCommandOutput;
            try {
              out = await lambda.send(new InvokeCommand({ FunctionName: String(params.FunctionName), Payload: Buffer.from(JSON.stringify(params.Payload ?? {})) }));
            } catch (error) {
              throw sdkError(error);
            }
            const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
            if (out.FunctionError) {
              const parsed = safeJson(text) as { errorType?: string } | undefined;
              throw new TaskError(parsed?.errorType ?? 'Lambda.Unknown', text);
            }
            return { ExecutedVersion: out.ExecutedVersion ?? '$LATEST', Payload: text === '' ? null : safeJson(text), StatusCode: out.StatusCode ?? 200 };
          }
          if (task.Resource === START_EXECUTION) {
            const target = String(params.StateMachineArn);
            const decision = options.calls.authorize(options.identity, 'states:StartExecution', target);
            if (!decision.allowed) throw new TaskError('States.AccessDeniedException', decision.message);
            if (target !== options.stateMachineArn) throw new TaskError('States.StateMachineDoesNotExist', `the twin runs only ${options.stateMachineArn}`);
            const next = { name: String(params.Name), input: (typeof params.Input === 'string' ? safeJson(params.Input) : params.Input) as Json };
            queue.push(next);
            return { ExecutionArn: `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${next.name}`, StartDate: new Date().toISOString() };
          }
          const call = sdkOperations[task.Resource.slice(SDK_LAMBDA.length)]!;
          try {
            const { $metadata: _, ...out } = await call(lambda, params);
            return out;
          } catch (error) {
            throw sdkError(error);
          }
        };
      }
      options.log(`twin: Step Functions: execution ${name} of ${options.stateMachineArn.split(':').pop()}`);
      const execution = machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: handlers as never,
          // The wait between an UpdateFunctionConfiguration and its status poll (1 s, doubling) only gives Lambda
          // time to apply the update; the twin's Lambda has applied it before it answers, so the poll finds it
          // Successful whenever it comes. The same states run in the same order, with the same calls; only that
          // idle second per update goes (28 s of a 33 s coldstart run). The study's own Wait steps run in real time.
          waitTimeOverrides: { [STATE.updateWait]: 0 },
        },
        context: {
          Execution: { Name: name, Id: `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Input: input as never, StartTime: new Date().toISOString() } as never,
          StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineArn.split(':').pop() } as never,
          // aws-local-stepfunctions 3.0.0 does not set $$.State; a state reads EnteredTime while it processes its input, right as it is entered.
          State: {
            get EnteredTime() {
              return new Date().toISOString();
            },
          } as never,
        },
      });
      const onAbort = () => execution.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await execution.result;
        outcomes.push({ name, error: null });
      } catch (error) {
        if (error instanceof TwinArtifactError) throw error;
        const e = error as { name?: string; message?: string; cause?: unknown };
        outcomes.push({ name, error: { name: e.name ?? 'Error', cause: typeof e.cause === 'string' ? e.cause : (e.message ?? '') } });
        break;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }
  } finally {
    lambda.destroy();
  }
  return outcomes;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
