/**
 * A Cloud Storage bucket with Curtain's defaults: uniform bucket-level access
 * (no object ACLs), public access prevention enforced (no IAM grant can make
 * it public), Google-managed encryption at rest, labelled with the study.
 */
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import type { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Construct } from 'constructs';

export interface PrivateBucketProps {
  /** The bucket's globally unique name. */
  readonly name: string;
  /** Region; Cloud Storage takes it upper-case. */
  readonly location: string;
  readonly labels: Record<string, string>;
  /** @default the stack's default google provider */
  readonly provider?: GoogleProvider;
  /**
   * Results: versioned and kept when the stack is destroyed (like AWS's RETAIN;
   * `terraform destroy` refuses until the bucket is removed from the state, see
   * docs/gcp.md). Build inputs: disposable.
   */
  readonly retain: boolean;
}

export class PrivateBucket extends Construct {
  readonly bucket: StorageBucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new StorageBucket(this, 'bucket', {
      provider: props.provider,
      name: props.name,
      location: props.location.toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: props.retain },
      forceDestroy: !props.retain,
      labels: props.labels,
      lifecycle: props.retain ? { preventDestroy: true } : undefined,
      // Build inputs are only read once per deployment.
      lifecycleRule: props.retain ? undefined : [{ action: { type: 'Delete' }, condition: { age: 30 } }],
    });
  }
}
