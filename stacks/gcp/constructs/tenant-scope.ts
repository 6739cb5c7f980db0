/**
 * One tenant's place on Google Cloud: its project (a Terraform variable), a
 * provider for it (an alias for every tenant but the primary), the APIs the
 * deployment uses, a disposable bucket for function packages and the service
 * account its probes run as, which has no permissions at all.
 */
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { PRIMARY_TENANT } from '../../../experiments/plan-queries';
import type { PackageAssets } from '../../cdktf/package-assets';
import { addressTransparent, tenantSuffixed } from '../../cdktf/stable-address';
import { GCP_PROJECT_VARIABLE, gcpLabels, gcpNames } from '../names';
import { PrivateBucket } from './private-bucket';

/** APIs the deployment uses; enabled in each project it deploys to, and left enabled on destroy. */
const SERVICES = ['cloudfunctions', 'run', 'cloudbuild', 'artifactregistry', 'storage', 'iam', 'workflows', 'logging'];

export interface GcpTenantScopeProps {
  readonly study: string;
  /** The tenant letter; the primary tenant's project holds the results, the driver and the workflow. */
  readonly tenant: string;
  readonly region: string;
  /** The stack's packages, zipped once and uploaded once per tenant. */
  readonly packages: PackageAssets;
}

export class GcpTenantScope extends Construct {
  readonly tenant: string;
  /** The tenant's project id (a Terraform variable token). */
  readonly project: string;
  readonly provider: GoogleProvider;
  /** Enabled APIs: functions must wait for them. */
  readonly services: ProjectService[];
  readonly sourcesBucket: string;
  /** The identity probes run as: no roles. */
  readonly probeAccount: ServiceAccount;
  private readonly packages: PackageAssets;
  private readonly uploads: Construct;

  constructor(scope: Construct, id: string, props: GcpTenantScopeProps) {
    super(scope, id);
    const { study, tenant, region } = props;
    const primary = tenant === PRIMARY_TENANT;
    addressTransparent(this, tenantSuffixed(primary ? '' : `_${tenant}`));
    this.tenant = tenant;
    this.packages = props.packages;
    this.project = new TerraformVariable(this, GCP_PROJECT_VARIABLE, {
      type: 'string',
      description: primary ? 'Google Cloud project of the study (tenant a)' : `Google Cloud project of tenant ${tenant} (a second project)`,
    }).stringValue;
    this.provider = new GoogleProvider(this, 'google', {
      alias: primary ? undefined : `tenant_${tenant}`,
      project: this.project,
      region,
      defaultLabels: gcpLabels(study, tenant),
    });
    this.services = SERVICES.map(
      (s) => new ProjectService(this, `service-${s}`, { provider: this.provider, project: this.project, service: `${s}.googleapis.com`, disableOnDestroy: false }),
    );
    this.sourcesBucket = new PrivateBucket(this, 'sources', {
      provider: this.provider,
      name: gcpNames.sourcesBucket(this.project, study),
      location: region,
      labels: gcpLabels(study, tenant),
      retain: false,
    }).bucket.name;
    this.probeAccount = new ServiceAccount(this, 'probe-account', {
      provider: this.provider,
      accountId: gcpNames.serviceAccount(study, 'probe'),
      displayName: `Curtain ${study}: probes of tenant ${tenant} (no permissions)`,
    });
    this.uploads = new Construct(this, 'uploads');
    // Upload ids name their tenant already.
    addressTransparent(this.uploads);
  }

  /** Uploads a staged package (zipped once per stack) to this tenant's sources bucket; returns the object name. */
  upload(dir: string): string {
    return this.packages.upload(
      dir,
      `gcs-${this.tenant}`,
      (asset, id) => new StorageBucketObject(this.uploads, id, { provider: this.provider, bucket: this.sourcesBucket, name: `packages/${asset.assetHash}.zip`, source: asset.path }).name,
    );
  }
}
