/**
 * Template assertions of each construct's security and configuration
 * properties, on one synthesized app (coldstart, and isolation with its second
 * tenant in another account) shared by every test of this file. The app runs
 * cdk-nag's AwsSolutions checks as it does from the CLI: synthesis fails on
 * any unacknowledged finding, and nagFindings() is asserted empty as well.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib/core';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Template } from 'aws-cdk-lib/assertions';
import { Deployment } from '../../../probe-runtime/contracts/deployment';
import { StudyPlan } from '../../../experiments/plan-schema';
import { nagFindings } from '../../../stacks/aws/nag';
import { compilePlan } from '../../../stacks/aws/asl/compile-plan';
import { STACK_OUTPUTS } from '../../../stacks/aws/stack-outputs';
import { synthesizeApp, type SynthesizedApp } from './fixtures';

const PRIMARY = '111111111111';
const TENANT_B = '222222222222';

let synth: SynthesizedApp;
let coldstart: Template;
let isolation: Template;
let tenantB: Template;

beforeAll(() => {
  synth = synthesizeApp({ study: 'coldstart,isolation', tenantB: TENANT_B }, { defaultAccount: PRIMARY });
  coldstart = synth.template('curtain-coldstart');
  isolation = synth.template('curtain-isolation');
  tenantB = synth.template('curtain-isolation-tenant-b');
});
afterAll(() => synth.cleanup());

const resourcesOf = (stack: string, type: string) => Object.entries(synth.json(stack).Resources).filter(([, r]) => r.Type === type);

describe('the app', () => {
  test('one stack per study, named after it, plus the second tenant\'s stack in its own account', () => {
    const stacks = synth.app.node.children.filter((c) => 'templateOptions' in c).map((s) => s.node.id).sort();
    expect(stacks).toEqual(['curtain-coldstart', 'curtain-isolation', 'curtain-isolation-tenant-b']);
    const [, iso] = synth.built;
    expect(iso!.stack.account).toBe(PRIMARY);
    expect(iso!.tenantStacks[0]!.account).toBe(TENANT_B);
    expect(iso!.tenantStacks[0]!.dependencies).toContain(iso!.stack);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding in any stack', () => {
    for (const built of synth.built) {
      for (const stack of [built.stack, ...built.tenantStacks]) expect(nagFindings(stack)).toEqual([]);
    }
  });

  test('the nag check finds what is not acknowledged (a wildcard grant on a bare stack)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(nagFindings(stack).map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Resource::*]');
  });

  test('each study is reported with its size and limits on stderr', () => {
    expect(synth.log.some((l) => /^curtain: coldstart: 14 probes, 80 steps, \d+ states/.test(l))).toBe(true);
  });
});

describe('ResultsBucket', () => {
  test('encrypted, versioned, public access blocked, owner-enforced, logged, retained', () => {
    coldstart.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'results/' }),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          ],
        },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every bucket refuses requests without TLS', () => {
    const policies = resourcesOf('curtain-coldstart', 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
      expect(JSON.stringify(policy.Properties)).toMatch(/"Effect":"Deny"/);
    }
  });

  test('no bucket policy grants anything to everyone', () => {
    for (const [, policy] of resourcesOf('curtain-coldstart', 'AWS::S3::BucketPolicy')) {
      const statements = (policy.Properties!.PolicyDocument as { Statement: { Effect: string; Principal: unknown }[] }).Statement;
      for (const s of statements.filter((x) => x.Effect === 'Allow')) expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"|"AWS":"\*"/);
    }
  });
});

describe('ProbeFleet', () => {
  const plan = () => synth.built[0]!.prepared.plan;

  test('one function per plan function, configured as the plan says, with a deterministic name', () => {
    const functions = resourcesOf('curtain-coldstart', 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties!.FunctionName).includes('-m'));
    expect(functions).toHaveLength(plan().functions.length);
    for (const f of plan().functions) {
      coldstart.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `curtain-${f.name}`,
        Runtime: f.runtimeVersion,
        MemorySize: f.memoryMb,
        Timeout: f.timeoutSeconds,
        Architectures: [f.architecture],
        Handler: f.runtime === 'python' ? 'probe.handler' : 'index.handler',
        Environment: { Variables: f.env },
        Tags: Match.arrayWith([
          { Key: 'curtain:function', Value: f.key },
          { Key: 'curtain:study', Value: 'coldstart' },
        ]),
      });
    }
  });

  test('each probe has its own log group with a retention', () => {
    for (const f of plan().functions) {
      coldstart.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/curtain/coldstart/probes/curtain-${f.name}`, RetentionInDays: 14 });
    }
  });

  test('the probes\' role may write their logs and nothing else; no probe has a resource policy or URL', () => {
    const fleetPolicies = resourcesOf('curtain-coldstart', 'AWS::IAM::Policy').filter(([id]) => id.startsWith('ProbesRole'));
    expect(fleetPolicies).toHaveLength(1);
    const statements = (fleetPolicies[0]![1].Properties!.PolicyDocument as { Statement: { Action: string[] }[] }).Statement;
    expect(statements.map((s) => s.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    expect(JSON.stringify(statements)).toContain(':log-group:/curtain/coldstart/probes/*:*');
    coldstart.resourceCountIs('AWS::Lambda::Permission', 0);
    coldstart.resourceCountIs('AWS::Lambda::Url', 0);
    coldstart.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      Description: Match.stringLikeRegexp('^Curtain probes of study coldstart'),
    });
    const roles = resourcesOf('curtain-coldstart', 'AWS::IAM::Role');
    for (const [, role] of roles) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

describe('Driver', () => {
  const driverOf = (stack: string) => resourcesOf(stack, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties!.FunctionName).endsWith('-driver'))![1];

  test('configured from the plan: timeout for the slowest shard, reserved concurrency, bucket in its environment', () => {
    const prepared = synth.built[0]!.prepared;
    coldstart.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'curtain-coldstart-driver',
      Runtime: 'nodejs24.x',
      MemorySize: 1024,
      Timeout: prepared.driverTimeoutSeconds,
      ReservedConcurrentExecutions: 1,
      Handler: 'index.handler',
      Environment: { Variables: { CURTAIN_BUCKET: { Ref: Match.stringLikeRegexp('^ResultsBucket') } } },
    });
    expect(prepared.driverTimeoutSeconds).toBeGreaterThanOrEqual(60);
  });

  test('its asset is the driver bundle plus plan.json and deployment.json, valid against the contracts', () => {
    const built = synth.built[1]!;
    const dir = built.stack.driver.assetDir;
    expect(readFileSync(path.join(dir, 'index.js'), 'utf8')).toContain("bundle: 'driver-aws'");
    const plan = StudyPlan.parse(JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')));
    expect(plan.hash).toBe(built.prepared.plan.hash);
    const deployment = Deployment.parse(JSON.parse(readFileSync(path.join(dir, 'deployment.json'), 'utf8')));
    expect(deployment).toMatchObject({ v: 1, provider: 'aws', region: 'us-east-1', planHash: plan.hash });
    expect(Object.keys(deployment.targets).sort()).toEqual(plan.functions.map((f) => f.key).sort());
    // tenant b lives in another account: reached by ARN; tenant a by name.
    expect(deployment.targets['node-m128-b-0']).toBe(`arn:aws:lambda:us-east-1:${TENANT_B}:function:curtain-isolation-node-m128-b-0`);
    expect(deployment.targets['node-m128-a-0']).toBe('curtain-isolation-node-m128-a-0');
    expect(deployment.bundles?.driver).toMatch(/^[0-9a-f]{64}$/);
  });

  test('it may invoke only its study\'s probes and put/get only under its study\'s prefix', () => {
    const policy = resourcesOf('curtain-isolation', 'AWS::IAM::Policy').find(([id]) => id.startsWith('DriverRole'))![1];
    const statements = (policy.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const byAction = (a: string) => statements.filter((s) => ([] as string[]).concat(s.Action).includes(a));
    const s3 = byAction('s3:PutObject');
    expect(s3).toHaveLength(1);
    expect(s3[0]!.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(s3[0]!.Resource)).toContain('"/isolation/*"');
    const invoke = byAction('lambda:InvokeFunction');
    const resources = JSON.stringify(invoke.map((s) => s.Resource));
    // The 5 local probes (by GetAtt) and the 5 tenant-b probes (by ARN in account b), nothing else.
    for (let i = 0; i < 5; i++) expect(resources).toContain(`arn:aws:lambda:us-east-1:${TENANT_B}:function:curtain-isolation-node-m128-b-${i}`);
    expect(resources).not.toContain('*');
    expect(resources).not.toContain('coldstart');
    const allActions = statements.flatMap((s) => ([] as string[]).concat(s.Action)).sort();
    expect(allActions).toEqual(['lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject']);
    expect(driverOf('curtain-isolation').Properties!.ReservedConcurrentExecutions).toBe(1);
  });
});

describe('Orchestrator', () => {
  test('the deployed definition is the compiled plan', () => {
    const built = synth.built[0]!;
    const machine = resourcesOf('curtain-coldstart', 'AWS::StepFunctions::StateMachine')[0]![1];
    const deployed = JSON.parse(machine.Properties!.DefinitionString as string);
    expect(deployed).toEqual(compilePlan(built.prepared.plan, built.prepared.topology.aslTargets));
    expect(machine.Properties).toMatchObject({
      StateMachineName: 'curtain-coldstart',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(deployed.TimeoutSeconds).toBeGreaterThan(built.prepared.plan.duration.estimatedSeconds);
  });

  test('its role invokes only the driver and reconfigures only the study\'s probes; tenant b through its updater role', () => {
    const policy = resourcesOf('curtain-isolation', 'AWS::IAM::Policy').find(([id]) => id.startsWith('OrchestratorRole'))![1];
    const statements = (policy.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const text = (a: string) => JSON.stringify(statements.filter((s) => ([] as string[]).concat(s.Action).includes(a)).map((s) => s.Resource));
    expect(text('lambda:InvokeFunction')).toMatch(/DriverFunction/);
    expect(text('lambda:InvokeFunction')).not.toMatch(/Probes/);
    expect(text('lambda:UpdateFunctionConfiguration')).toMatch(/Probesnodem128a0/);
    expect(text('lambda:UpdateFunctionConfiguration')).not.toContain(TENANT_B);
    expect(text('sts:AssumeRole')).toBe(JSON.stringify([`arn:aws:iam::${TENANT_B}:role/curtain-isolation-tenant-b-updater-us-east-1`]));
    isolation.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'curtain-isolation-orchestrator-us-east-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })] },
    });
  });

  test('execution logs go to a log group with a retention', () => {
    coldstart.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/curtain-coldstart', RetentionInDays: 90 });
  });
});

describe('the second tenant\'s stack', () => {
  test('its probes can be invoked only by the primary driver role', () => {
    const permissions = resourcesOf('curtain-isolation-tenant-b', 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(5);
    for (const [, p] of permissions) {
      expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: `arn:aws:iam::${PRIMARY}:role/curtain-isolation-driver-us-east-1` });
    }
    tenantB.resourceCountIs('AWS::Lambda::Function', 5);
    tenantB.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'curtain-isolation-node-m128-b-0', Environment: { Variables: Match.objectLike({ CURTAIN_TENANT: 'b' }) } });
  });

  test('its updater role trusts only the primary orchestrator role and may only reconfigure these probes', () => {
    tenantB.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'curtain-isolation-tenant-b-updater-us-east-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: `arn:aws:iam::${PRIMARY}:role/curtain-isolation-orchestrator-us-east-1` } })] },
    });
    const policy = resourcesOf('curtain-isolation-tenant-b', 'AWS::IAM::Policy').find(([id]) => id.startsWith('Updater'))![1];
    const statements = (policy.Properties!.PolicyDocument as { Statement: { Action: string[] }[] }).Statement;
    expect(statements.map((s) => s.Action)).toEqual([['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration']]);
  });
});

describe('outputs', () => {
  test('state machine ARN, bucket name, driver, plan hash and function names', () => {
    const outputs = synth.json('curtain-coldstart').Outputs!;
    expect(Object.keys(outputs).sort()).toEqual(
      [STACK_OUTPUTS.bucketName, STACK_OUTPUTS.driverFunctionName, STACK_OUTPUTS.functionNames, STACK_OUTPUTS.planHash, STACK_OUTPUTS.stateMachineArn].sort(),
    );
    const names = JSON.parse(outputs[STACK_OUTPUTS.functionNames]!.Value as string) as Record<string, string>;
    expect(names['py-m3008-a-0']).toBe('curtain-coldstart-py-m3008-a-0');
    expect(outputs[STACK_OUTPUTS.planHash]!.Value).toBe(synth.built[0]!.prepared.plan.hash);
  });
});
