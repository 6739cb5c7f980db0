/**
 * What the AWS twin executes, read from a cloud assembly as `cdk synth` wrote
 * it (cdk.out): the stack's template and its asset directories. Functions come
 * with the handler, runtime, memory, timeout, environment and role the template
 * gives them and the directory the template's Code.S3Key names in
 * <stack>.assets.json; the state machine with its definition and role; the
 * results bucket; every role with its identity policies. Intrinsics resolve to
 * the twin's account and region. Anything the twin does not model (a resource
 * kind, a runtime, a second state machine) is refused with its logical id.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { awsTemplateHash } from '../../stacks/aws/template-hash';
import { createResolver, type DeployEnv } from './resolve-intrinsics';
import { rolesOf, type RoleUnderTest } from './template-roles';

export class TwinArtifactError extends Error {
  override name = 'TwinArtifactError';
}

export type TwinRuntime = 'nodejs' | 'python';

export interface TwinFunction {
  logicalId: string;
  name: string;
  arn: string;
  handler: string;
  /** The template's runtime id, e.g. nodejs24.x. */
  runtimeId: string;
  runtime: TwinRuntime;
  memoryMb: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  /** The asset directory of its code (LAMBDA_TASK_ROOT). */
  codeDir: string;
  roleArn: string;
}

export interface TwinStack {
  stackName: string;
  templateFile: string;
  /** sha256 of the template file as synthesized. */
  templateHash: string;
  env: DeployEnv;
  functions: TwinFunction[];
  bucket: string;
  stateMachine: { logicalId: string; name: string; arn: string; definition: unknown; roleArn: string };
  roles: RoleUnderTest[];
}

/** Resource types the twin runs, stands in for, or may ignore (logs, tracing, metadata: no behaviour a run depends on). */
const MODELLED = new Set([
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::StepFunctions::StateMachine',
  'AWS::Logs::LogGroup',
  'AWS::CDK::Metadata',
]);

const Template = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })),
});

const AssetsManifest = z.object({
  files: z.record(z.string(), z.object({ source: z.object({ path: z.string(), packaging: z.string().optional() }), destinations: z.record(z.string(), z.object({ objectKey: z.string() })) })),
});

const FunctionProps = z.object({
  FunctionName: z.string(),
  Handler: z.string(),
  Runtime: z.string(),
  MemorySize: z.number().int().default(128),
  Timeout: z.number().int().default(3),
  Environment: z.object({ Variables: z.record(z.string(), z.string()) }).optional(),
  Code: z.object({ S3Key: z.string() }),
  Role: z.string(),
});

function runtimeOf(id: string, where: string): TwinRuntime {
  if (/^nodejs\d+\.x$/.test(id)) return 'nodejs';
  if (/^python3\.\d+$/.test(id)) return 'python';
  throw new TwinArtifactError(`${where}: runtime ${id} is not one the twin runs (nodejs*.x, python3.*)`);
}

/** A template of the assembly, parsed, with its asset directories and an intrinsic resolver. */
function loadTemplate(assemblyDir: string, stackName: string, env: DeployEnv, modelled: ReadonlySet<string>) {
  const templateFile = path.join(assemblyDir, `${stackName}.template.json`);
  if (!existsSync(templateFile)) throw new TwinArtifactError(`${templateFile}: no template for stack ${stackName} in the cloud assembly`);
  const bytes = readFileSync(templateFile);
  const template = Template.parse(JSON.parse(bytes.toString('utf8')));
  const resources = template.Resources;
  const assets = AssetsManifest.parse(JSON.parse(readFileSync(path.join(assemblyDir, `${stackName}.assets.json`), 'utf8')));
  const dirByKey = new Map<string, string>();
  for (const file of Object.values(assets.files)) {
    for (const destination of Object.values(file.destinations)) dirByKey.set(destination.objectKey, path.resolve(assemblyDir, file.source.path));
  }
  const resolver = createResolver(resources, env);
  const where = (logicalId: string) => `${stackName}/${logicalId}`;
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!modelled.has(resource.Type)) throw new TwinArtifactError(`${where(logicalId)}: resource type ${resource.Type} is not modelled by the AWS twin`);
  }
  return { templateFile, bytes, resources, dirByKey, resolver, where };
}

function readFunctions({ resources, dirByKey, resolver, where }: ReturnType<typeof loadTemplate>, stackName: string): TwinFunction[] {
  const functions: TwinFunction[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const parsed = FunctionProps.safeParse(resolver.resolve(resource.Properties ?? {}));
    if (!parsed.success) throw new TwinArtifactError(`${where(logicalId)}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const p = parsed.data;
    const codeDir = dirByKey.get(p.Code.S3Key);
    if (!codeDir || !existsSync(codeDir) || !statSync(codeDir).isDirectory()) {
      throw new TwinArtifactError(`${where(logicalId)}: Code.S3Key ${p.Code.S3Key} names no asset directory in ${stackName}.assets.json`);
    }
    functions.push({
      logicalId,
      name: p.FunctionName,
      arn: resolver.getAtt(logicalId, 'Arn'),
      handler: p.Handler,
      runtimeId: p.Runtime,
      runtime: runtimeOf(p.Runtime, where(logicalId)),
      memoryMb: p.MemorySize,
      timeoutSeconds: p.Timeout,
      env: p.Environment?.Variables ?? {},
      codeDir,
      roleArn: p.Role,
    });
  }
  return functions;
}

/** A further tenant's stack (the isolation study's tenant `b`): its probes and their roles, run beside the primary stack's. */
export interface TwinTenantStack {
  stackName: string;
  functions: TwinFunction[];
  roles: RoleUnderTest[];
}

/**
 * Tenant stacks grant the primary driver role invoke rights by resource-based policy
 * (AWS::Lambda::Permission), which the twin does not evaluate: in one account the caller's
 * identity policy decides, and the primary stack grants its driver that too. Cross-account
 * tenants (an updater role to assume) are not modelled.
 */
const TENANT_MODELLED = new Set([...MODELLED, 'AWS::Lambda::Permission']);

export function readTenantStack(assemblyDir: string, stackName: string, primaryEnv: DeployEnv): TwinTenantStack {
  // Its probes' role has the primary stack's logical id: CloudFormation's generated names differ by stack.
  const env = { ...primaryEnv, generatedNamePrefix: `${stackName}-` };
  const loaded = loadTemplate(assemblyDir, stackName, env, TENANT_MODELLED);
  if (Object.values(loaded.resources).some((r) => r.Type === 'AWS::StepFunctions::StateMachine')) throw new TwinArtifactError(`${stackName}: a tenant stack with a state machine is not modelled`);
  return { stackName, functions: readFunctions(loaded, stackName), roles: rolesOf({ name: stackName, account: env.account, resources: loaded.resources }, env) };
}

export function readTwinStack(assemblyDir: string, stackName: string, env: DeployEnv): TwinStack {
  const loaded = loadTemplate(assemblyDir, stackName, env, MODELLED);
  const { templateFile, bytes, resources, resolver, where } = loaded;
  const functions = readFunctions(loaded, stackName);

  const machines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new TwinArtifactError(`${stackName}: the twin runs stacks with exactly one state machine, this one has ${machines.length}`);
  const [machineId, machine] = machines[0]!;
  const machineProps = resolver.resolve(machine.Properties ?? {}) as { DefinitionString?: unknown; RoleArn?: unknown; StateMachineName?: unknown };
  if (typeof machineProps.DefinitionString !== 'string') throw new TwinArtifactError(`${where(machineId)}: DefinitionString must be a string (DefinitionS3Location is not modelled)`);

  const buckets = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  // The results bucket is the one the stack's functions are told about; access-log buckets are not written by a run.
  const told = new Set(functions.flatMap((f) => Object.values(f.env)));
  const results = buckets.map(([id]) => resolver.ref(id)).filter((name) => told.has(name));
  if (results.length !== 1) throw new TwinArtifactError(`${stackName}: expected one bucket named in a function's environment, found ${results.length}`);

  return {
    stackName,
    templateFile,
    templateHash: awsTemplateHash(bytes.toString('utf8')),
    env,
    functions,
    bucket: results[0]!,
    stateMachine: {
      logicalId: machineId,
      name: String(machineProps.StateMachineName ?? resolver.ref(machineId)),
      arn: resolver.ref(machineId),
      definition: JSON.parse(machineProps.DefinitionString),
      roleArn: String(machineProps.RoleArn),
    },
    roles: rolesOf({ name: stackName, account: env.account, resources }, env),
  };
}
