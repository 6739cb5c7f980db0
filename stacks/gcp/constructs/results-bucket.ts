/**
 * The study's results bucket in the primary tenant's project: private,
 * versioned, retained (PrivateBucket), written only through grantStudyWrite.
 */
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Construct } from 'constructs';
import { addressTransparent } from '../../cdktf/stable-address';
import { gcpLabels, gcpNames } from '../names';
import { PrivateBucket } from './private-bucket';
import type { GcpTenantScope } from './tenant-scope';

export interface GcpResultsBucketProps {
  readonly study: string;
  readonly region: string;
  /** The primary tenant, whose project holds the bucket. */
  readonly home: GcpTenantScope;
}

export class GcpResultsBucket extends Construct {
  readonly bucketName: string;
  private readonly home: GcpTenantScope;

  constructor(scope: Construct, id: string, props: GcpResultsBucketProps) {
    super(scope, id);
    addressTransparent(this);
    this.home = props.home;
    this.bucketName = new PrivateBucket(this, 'results', {
      provider: props.home.provider,
      name: gcpNames.resultsBucket(props.home.project, props.study),
      location: props.region,
      labels: gcpLabels(props.study),
      retain: true,
    }).bucket.name;
  }

  /**
   * Lets the driver read and write objects under `<study>/` only (plan.json,
   * run.json, shards; overwriting a retried shard needs delete, hence objectUser).
   */
  grantStudyWrite(driver: ServiceAccount, study: string): void {
    new StorageBucketIamMember(this, 'driver-writes-study-prefix', {
      provider: this.home.provider,
      bucket: this.bucketName,
      role: 'roles/storage.objectUser',
      member: `serviceAccount:${driver.email}`,
      condition: {
        title: `only ${study}/`,
        description: 'The driver may read and write only its study prefix.',
        expression: `resource.name.startsWith("projects/_/buckets/${this.bucketName}/objects/${study}/")`,
      },
    });
  }
}
