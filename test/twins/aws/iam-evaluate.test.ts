/**
 * The twin's IAM evaluator (twins/aws/iam-evaluate.ts) decides as an
 * independent policy simulator does (@cloud-copilot/iam-simulate, AGPL-3.0: a
 * devDependency used by tests only), on the policy features the stacks use:
 * Allow/Deny, Action/NotAction, Resource/NotResource, `*` and `?` wildcards,
 * case-insensitive actions and case-sensitive resources, several policies.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluate, UnsupportedPolicyError } from '../../../twins/aws/iam-evaluate';
import type { PolicyDocument } from '../../../twins/aws/template-roles';

const ACCOUNT = '111122223333';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/curtain-test-driver`;
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

const POLICIES: Record<string, PolicyDocument[]> = {
  driver: [
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn('curtain-x-node-m128-a-0'), `${fn('curtain-x-node-m128-a-0')}:$LATEST`] },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bucket-1/x/*' },
      ],
    },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/d:*` }] },
  ],
  wildcards: [
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'lambda:*Configuration', Resource: fn('curtain-x-*') },
        { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::bucket-?/*' },
        { Effect: 'Deny', Action: 'lambda:UpdateFunctionConfiguration', Resource: fn('curtain-x-driver') },
      ],
    },
  ],
  negations: [
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: 'lambda:DeleteFunction', Resource: fn('*') },
        { Effect: 'Deny', Action: 'lambda:*', NotResource: fn('curtain-*') },
      ],
    },
  ],
};

const REQUESTS: [string, string][] = [
  ['lambda:InvokeFunction', fn('curtain-x-node-m128-a-0')],
  ['lambda:InvokeFunction', `${fn('curtain-x-node-m128-a-0')}:$LATEST`],
  ['LAMBDA:invokefunction', fn('curtain-x-node-m128-a-0')],
  ['lambda:InvokeFunction', fn('curtain-x-node-m256-a-0')],
  ['lambda:InvokeFunction', fn('Curtain-x-node-m128-a-0')],
  ['s3:PutObject', 'arn:aws:s3:::bucket-1/x/run/plan.json'],
  ['s3:PutObject', 'arn:aws:s3:::bucket-1/y/run/plan.json'],
  ['s3:GetObject', 'arn:aws:s3:::bucket-2/x/a'],
  ['s3:DeleteObject', 'arn:aws:s3:::bucket-1/x/a'],
  ['lambda:UpdateFunctionConfiguration', fn('curtain-x-node-m128-a-0')],
  ['lambda:GetFunctionConfiguration', fn('curtain-x-driver')],
  ['lambda:UpdateFunctionConfiguration', fn('curtain-x-driver')],
  ['lambda:DeleteFunction', fn('curtain-x-driver')],
  ['lambda:InvokeFunction', fn('other-function')],
  ['logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/d:log-stream:s`],
];

async function simulate(policies: PolicyDocument[], action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `p${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action, principal: PRINCIPAL, resource: { accountId: ACCOUNT, resource }, contextVariables: {} },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('the twin IAM evaluator against @cloud-copilot/iam-simulate', () => {
  for (const [set, policies] of Object.entries(POLICIES)) {
    it(`decides every request as the simulator does: ${set}`, async () => {
      const mismatches: string[] = [];
      for (const [action, resource] of REQUESTS) {
        const ours = evaluate(policies, { action, resource }) === 'allowed' ? 'Allowed' : 'Denied';
        const reference = (await simulate(policies, action, resource)) === 'Allowed' ? 'Allowed' : 'Denied';
        if (ours !== reference) mismatches.push(`${action} on ${resource}: twin ${ours}, simulator ${reference}`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('tells an explicit deny from an implicit one', () => {
    expect(evaluate(POLICIES.wildcards!, { action: 'lambda:UpdateFunctionConfiguration', resource: fn('curtain-x-driver') })).toBe('explicit-deny');
    expect(evaluate(POLICIES.driver!, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::bucket-1/x/a' })).toBe('implicit-deny');
  });

  it('refuses a Condition instead of guessing, naming the statement', () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] };
    expect(() => evaluate([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, 'stack/Role')).toThrow(UnsupportedPolicyError);
    expect(() => evaluate([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, 'stack/Role')).toThrow(/stack\/Role #1 statement #1: Condition/);
  });
});
