/**
 * The outputs of a study's stack: written by StudyStack, read back by the AWS
 * client (`curtain start` / `curtain fetch`) through CloudFormation DescribeStacks.
 */
import { z } from 'zod';

export const STACK_OUTPUTS = {
  stateMachineArn: 'StateMachineArn',
  bucketName: 'BucketName',
  driverFunctionName: 'DriverFunctionName',
  planHash: 'PlanHash',
  /** JSON object: plan function key → name (ARN for another account); split into FunctionNames2, ... when long. */
  functionNames: 'FunctionNames',
} as const;

/** CloudFormation's limit on one output value. */
export const OUTPUT_VALUE_MAX_CHARS = 4096;

/** Splits a key → value map into JSON objects that each fit in one output value. */
export function chunkOutputMap(map: Record<string, string>, max = OUTPUT_VALUE_MAX_CHARS): string[] {
  const chunks: string[] = [];
  let current: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    const next = { ...current, [key]: value };
    if (JSON.stringify(next).length > max && Object.keys(current).length > 0) {
      chunks.push(JSON.stringify(current));
      current = { [key]: value };
    } else current = next;
  }
  chunks.push(JSON.stringify(current));
  return chunks;
}

/** What the client needs from a deployed study stack. */
export const StudyStackOutputs = z.object({
  [STACK_OUTPUTS.stateMachineArn]: z.string().regex(/^arn:aws[a-z-]*:states:/, 'expected a state machine ARN'),
  [STACK_OUTPUTS.bucketName]: z.string().min(3),
  [STACK_OUTPUTS.planHash]: z.string().regex(/^[0-9a-f]{64}$/),
});
export type StudyStackOutputs = z.output<typeof StudyStackOutputs>;
