/**
 * Resolves a template's intrinsic functions to the literal values they take
 * in one account and region, for checks that need deploy-time values: the
 * state machine definition (asl-validator, aws-local-stepfunctions) and the
 * IAM policies (the policy simulator). Physical names come from the template
 * where it sets them (FunctionName, RoleName, LogGroupName, ...); a resource
 * without one gets a deterministic stand-in name from its logical id, as
 * CloudFormation would generate one.
 */
type Json = unknown;
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export interface DeployEnv {
  account: string;
  region: string;
  partition: string;
  /**
   * Put before the physical names CloudFormation would generate (it prefixes them with the stack name), to
   * keep two stacks' generated names apart when both have a resource of the same logical id. @default none
   */
  generatedNamePrefix?: string;
}

export class UnresolvableIntrinsicError extends Error {}

export function createResolver(resources: Resources, env: DeployEnv) {
  const { account, region, partition } = env;
  const nameOf = (logicalId: string, property: string): string => {
    const value = resources[logicalId]?.Properties?.[property];
    return value === undefined ? `${env.generatedNamePrefix ?? ''}${logicalId.toLowerCase()}-generated` : String(resolve(value));
  };

  const ref = (logicalId: string): string => {
    switch (logicalId) {
      case 'AWS::AccountId':
        return account;
      case 'AWS::Region':
        return region;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'stack';
    }
    const resource = resources[logicalId];
    if (!resource) throw new UnresolvableIntrinsicError(`Ref to unknown ${logicalId}`);
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        return nameOf(logicalId, 'FunctionName');
      case 'AWS::IAM::Role':
        return nameOf(logicalId, 'RoleName');
      case 'AWS::S3::Bucket':
        return nameOf(logicalId, 'BucketName');
      case 'AWS::Logs::LogGroup':
        return nameOf(logicalId, 'LogGroupName');
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${region}:${account}:stateMachine:${nameOf(logicalId, 'StateMachineName')}`;
      default:
        return `${logicalId}-ref`;
    }
  };

  const getAtt = (logicalId: string, attribute: string): string => {
    const resource = resources[logicalId];
    if (!resource) throw new UnresolvableIntrinsicError(`Fn::GetAtt of unknown ${logicalId}`);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::Lambda::Function.Arn':
        return `arn:${partition}:lambda:${region}:${account}:function:${ref(logicalId)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${account}:role/${ref(logicalId)}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${ref(logicalId)}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${region}:${account}:log-group:${ref(logicalId)}:*`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return ref(logicalId);
      default:
        throw new UnresolvableIntrinsicError(`Fn::GetAtt ${key} is not modelled`);
    }
  };

  function resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      if (fn === 'Ref') return ref(String(arg));
      if (fn === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return getAtt(id!, attribute!);
      }
      if (fn === 'Fn::Join') {
        const [separator, parts] = arg as [string, Json[]];
        return (resolve(parts) as Json[]).map(String).join(separator);
      }
      if (fn === 'Fn::Sub') {
        const [template, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
        return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (vars[name] !== undefined) return String(resolve(vars[name]));
          const [id, attribute] = name.split('.');
          return attribute ? getAtt(id!, attribute) : ref(id!);
        });
      }
      if (fn === 'Fn::Select') {
        const [index, list] = arg as [number, Json];
        return (resolve(list) as Json[])[Number(index)];
      }
      if (fn === 'Fn::Split') {
        const [separator, text] = arg as [string, Json];
        return String(resolve(text)).split(separator);
      }
      if (fn.startsWith('Fn::')) throw new UnresolvableIntrinsicError(`${fn} is not modelled`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  }

  return { resolve, ref, getAtt };
}
