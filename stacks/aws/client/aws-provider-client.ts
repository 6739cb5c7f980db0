/**
 * The AWS ProviderClient (targets/client/provider-client.ts):
 *   start  StartExecution of the study's state machine, named after a new run id
 *          (the state machine takes the run id from the execution name);
 *   fetch  downloads <study>/<run>/ from the results bucket in the bucket layout.
 * The state machine ARN and bucket name come from the stack's outputs
 * (CloudFormation DescribeStacks), or from --bucket for fetch; --endpoint
 * points S3 at an S3-compatible server.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TargetError } from '../../../targets/target-errors';
import type { ClientIo, CloudTargetOptions, FetchResult, ProviderClient, StartResult } from '../../../targets/client/provider-client';
import { newRunId, RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../../../probe-runtime/contracts/bucket-layout';
import { studyStackName } from '../naming';
import { defaultAwsClients, type AwsClientFactory } from './aws-sdk-clients';
import { awsTargetError } from './aws-errors';
import { fetchRun } from './fetch-run';
import { readDeployedTemplateHash, readStudyStackOutputs } from './stack-outputs-reader';

/** Where to watch an execution in the Step Functions console. */
export function consoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export function createAwsProviderClient(clients: AwsClientFactory = defaultAwsClients): ProviderClient {
  return {
    provider: 'aws',

    async start(options: CloudTargetOptions & { run?: string }, io: ClientIo): Promise<StartResult> {
      const run = options.run ?? newRunId();
      if (!RUN_ID_PATTERN.test(run)) {
        throw new TargetError(`curtain start: --run "${run}" is not a run id such as ${RUN_ID_EXAMPLE} (letters, digits, ".", "_" and "-", starting with a letter or digit, at most 80)`);
      }
      const stackName = options.stack ?? studyStackName(options.study);
      const outputs = await readStudyStackOutputs(clients, { region: options.region }, stackName);
      const templateHash = await readDeployedTemplateHash(clients, { region: options.region }, stackName);
      io.err(`curtain: starting run ${run} of ${options.study} (stack ${stackName}, plan ${outputs.PlanHash.slice(0, 12)}, template ${templateHash.slice(0, 12)})`);
      try {
        const result = await clients.sfn({ region: options.region }).send(
          new StartExecutionCommand({ stateMachineArn: outputs.StateMachineArn, name: run, input: JSON.stringify({ run, templateHash }) }),
        );
        if (!result.executionArn) throw new TargetError('curtain start: StartExecution returned no execution ARN', 'failed');
        return { run, execution: result.executionArn, watch: consoleUrl(result.executionArn) };
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') {
          throw new TargetError(`curtain start: run ${run} already exists for ${options.study}; pass another --run or leave it out for a new one`);
        }
        throw awsTargetError(error, `starting ${stackName}`);
      }
    },

    async fetch(options: CloudTargetOptions & { run?: string; out: string }, io: ClientIo): Promise<FetchResult> {
      const clientOptions = { region: options.region, endpoint: options.endpoint };
      const bucket = options.bucket ?? (await readStudyStackOutputs(clients, { region: options.region }, options.stack ?? studyStackName(options.study))).BucketName;
      try {
        return await fetchRun(clients.s3(clientOptions), { bucket, study: options.study, run: options.run, out: options.out, log: (line) => io.err(line) });
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchBucket') throw new TargetError(`curtain fetch: bucket ${bucket} does not exist${options.endpoint ? ` at ${options.endpoint}` : ''}`);
        throw awsTargetError(error, `fetching from s3://${bucket}`);
      }
    },
  };
}
