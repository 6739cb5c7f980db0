/**
 * The three AWS services the client talks to, behind one small factory so the
 * commands can be tested with a real S3-compatible server (s3rver) and
 * recorded fakes for the services that have no local server here.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface ClientOptions {
  region?: string;
  /** S3 endpoint override (an S3-compatible server); path-style addressing is used with it. */
  endpoint?: string;
}

export interface AwsClientFactory {
  cloudFormation(options: ClientOptions): Pick<CloudFormationClient, 'send'>;
  sfn(options: ClientOptions): Pick<SFNClient, 'send'>;
  s3(options: ClientOptions): Pick<S3Client, 'send'>;
}

/**
 * The pinned SDK works on Node 20 (this project's floor); its notice that later
 * SDK releases will need Node 22 would only bury the command's one-line output.
 * Set AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false to see it.
 */
function quiet<T>(make: () => T): T {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return make();
}

export const defaultAwsClients: AwsClientFactory = {
  cloudFormation: ({ region }) => quiet(() => new CloudFormationClient({ region })),
  sfn: ({ region }) => quiet(() => new SFNClient({ region })),
  s3: ({ region, endpoint }) =>
    quiet(
      () =>
        new S3Client({
          region: region ?? (endpoint ? 'us-east-1' : undefined),
          ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        }),
    ),
};
