/**
 * The subset of the Amazon States Language (JSONPath query language) the
 * orchestrator compiler emits. Kept as plain JSON types: the compiled
 * definition is data that asl-validator checks, aws-local-stepfunctions runs
 * and CloudFormation deploys unchanged.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

interface Flow {
  Comment?: string;
  Next?: string;
  End?: true;
}

export interface TaskState extends Flow {
  Type: 'Task';
  Resource: string;
  Parameters: JsonObject;
  /** Cross-account integration: the role Step Functions assumes for this call (`RoleArn` or `RoleArn.$`). */
  Credentials?: JsonObject;
  TimeoutSeconds: number;
  ResultSelector?: JsonObject;
  /** Absent: "$", the result replaces the state's input. */
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends Flow {
  Type: 'Pass';
  InputPath?: string;
  Result?: JsonValue;
  Parameters?: JsonObject;
  ResultPath?: string | null;
}

export interface WaitState extends Flow {
  Type: 'Wait';
  Seconds?: number;
  SecondsPath?: string;
  /** A path to an ISO 8601 timestamp the state waits until (anchored waits). */
  TimestampPath?: string;
}

export interface ChoiceRule {
  Variable?: string;
  IsPresent?: boolean;
  StringEquals?: string;
  NumericEquals?: number;
  NumericLessThan?: number;
  And?: ChoiceRule[];
  Next?: string;
}

export interface ChoiceState {
  Type: 'Choice';
  Comment?: string;
  Choices: ChoiceRule[];
  Default: string;
}

export interface MapState extends Flow {
  Type: 'Map';
  ItemsPath: string;
  MaxConcurrency: number;
  ItemSelector: JsonObject;
  ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }; StartAt: string; States: Record<string, State> };
  ResultPath: null;
  Catch: Catcher[];
}

export interface FailState {
  Type: 'Fail';
  Comment?: string;
  Error: string;
  CausePath?: string;
}

export interface SucceedState {
  Type: 'Succeed';
  Comment?: string;
}

export type State = TaskState | PassState | WaitState | ChoiceState | MapState | SucceedState | FailState;

export interface StateMachineDefinition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
}
