/**
 * ResultsBucket: where a study's runs land (<study>/<run>/…, see
 * probe-runtime/contracts/bucket-layout.ts).
 *
 * Secure by default: SSE-S3 encryption, TLS-only bucket policy, every public
 * access blocked, object ownership enforced (no ACLs), versioning (a rerun of
 * a shard overwrites its key, and the previous version stays recoverable for a
 * while), server access logs into a companion bucket, and lifecycle rules that
 * expire old versions and abandoned uploads but never current results.
 * Results are retained when the stack is destroyed unless `removal: 'destroy'`.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { runPrefix } from '../../../probe-runtime/contracts/bucket-layout';

export type ResultsRemoval = 'retain' | 'destroy';

export interface ResultsBucketProps {
  /**
   * What `cdk destroy` does with the results: `retain` keeps the bucket (and its
   * access logs); `destroy` deletes them with every object.
   * @default 'retain'
   */
  readonly removal?: ResultsRemoval;
  /** How long overwritten versions of result objects are kept. @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
  /** How long server access logs are kept. @default 90 days */
  readonly accessLogExpiration?: Duration;
}

export class ResultsBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: ResultsBucketProps = {}) {
    super(scope, id);
    const destroy = (props.removal ?? 'retain') === 'destroy';
    const secure = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: destroy,
    };

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...secure,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: props.accessLogExpiration ?? Duration.days(90) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...secure,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'results/',
      lifecycleRules: [
        {
          id: 'expire-old-versions-and-abandoned-uploads',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Lets the grantee put and get objects under `<study>/` only, nothing else:
   * a study's driver can never touch another study's results, list the bucket
   * or change its settings. (`grantReadWrite` would add List*, GetBucket* and
   * Abort* on more resources.) Returns the granted ARN pattern.
   */
  grantStudyWrite(grantee: IGrantable, study: string): string {
    const objects = this.bucket.arnForObjects(`${runPrefix(study, '')}*`);
    Grant.addToPrincipal({ grantee, actions: ['s3:PutObject', 's3:GetObject'], resourceArns: [objects] });
    return objects;
  }
}
