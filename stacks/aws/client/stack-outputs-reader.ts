/** Reads a deployed study stack's outputs (CloudFormation DescribeStacks) and validates them, and its template's hash. */
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { TargetError } from '../../../targets/target-errors';
import { formatProblem, problemsFromZod } from '../../../experiments/errors';
import { StudyStackOutputs } from '../stack-outputs';
import { awsTemplateHash } from '../template-hash';
import type { AwsClientFactory, ClientOptions } from './aws-sdk-clients';
import { awsTargetError } from './aws-errors';

export async function readStudyStackOutputs(clients: AwsClientFactory, options: ClientOptions, stackName: string): Promise<StudyStackOutputs> {
  let outputs: Record<string, string>;
  try {
    const result = await clients.cloudFormation(options).send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = result.Stacks?.[0];
    if (!stack) throw notDeployed(stackName, options.region);
    outputs = Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '')) throw notDeployed(stackName, options.region);
    throw awsTargetError(error, `reading the outputs of stack ${stackName}`);
  }
  const parsed = StudyStackOutputs.safeParse(outputs);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error).map(formatProblem).join('; ');
    throw new TargetError(`curtain: stack ${stackName} does not have the outputs of a Curtain study stack (${problems}); pass --stack or --bucket`);
  }
  return parsed.data;
}

function notDeployed(stackName: string, region: string | undefined): TargetError {
  return new TargetError(
    `curtain: stack ${stackName} is not deployed${region ? ` in ${region}` : ''}: deploy it with \`npx cdk deploy -c study=...\` (docs/aws.md), or pass --stack NAME / --region R`,
  );
}

/**
 * The hash of the template the stack was deployed from (stacks/aws/template-hash.ts), from CloudFormation's
 * copy of it as submitted (GetTemplate, TemplateStage Original: before transforms, what `cdk deploy` uploaded).
 */
export async function readDeployedTemplateHash(clients: AwsClientFactory, options: ClientOptions, stackName: string): Promise<string> {
  let body: string | undefined;
  try {
    body = (await clients.cloudFormation(options).send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody;
  } catch (error) {
    throw awsTargetError(error, `reading the template of stack ${stackName}`);
  }
  if (!body) throw new TargetError(`curtain: CloudFormation returned no template for stack ${stackName}`);
  try {
    return awsTemplateHash(body);
  } catch (error) {
    throw new TargetError(`curtain: the template of stack ${stackName} is not JSON (${(error as Error).message}); Curtain stacks are deployed as JSON by the CDK`);
  }
}
