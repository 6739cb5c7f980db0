/**
 * One Worker of a study as Cloudflare's versioned model (provider 5.x): the
 * `cloudflare_worker` (name, tags, no workers.dev subdomain, no preview URLs,
 * no logs), a `cloudflare_worker_version` with its ES modules and bindings,
 * and a `cloudflare_workers_deployment` of that version at 100 %. With no
 * route, no custom domain and no subdomain, a Worker is reachable only
 * through a service binding or the Cloudflare API.
 */
import { Worker } from '@cdktf/provider-cloudflare/lib/worker';
import { WorkerVersion, type WorkerVersionBindings } from '@cdktf/provider-cloudflare/lib/worker-version';
import { WorkersDeployment } from '@cdktf/provider-cloudflare/lib/workers-deployment';
import { Construct } from 'constructs';
import { cloudflareTags, COMPATIBILITY_FLAGS } from '../names';

export interface WorkerModule {
  readonly name: string;
  /** `application/javascript+module` for the ES module, `text/plain` for a text module. */
  readonly contentType: string;
  readonly content: string;
}

export interface WorkerScriptProps {
  readonly accountId: string;
  readonly study: string;
  readonly name: string;
  /** The first module is the main module. */
  readonly modules: readonly [WorkerModule, ...WorkerModule[]];
  /** @default none */
  readonly bindings?: readonly WorkerVersionBindings[];
  /** The compatibility date: the plan's runtime id. */
  readonly compatibilityDate: string;
}

export class WorkerScript extends Construct {
  readonly worker: Worker;
  readonly version: WorkerVersion;
  readonly deployment: WorkersDeployment;

  constructor(scope: Construct, id: string, props: WorkerScriptProps) {
    super(scope, id);
    this.worker = new Worker(this, 'worker', {
      accountId: props.accountId,
      name: props.name,
      tags: cloudflareTags(props.study),
      subdomain: { enabled: false, previewsEnabled: false },
      observability: { enabled: false },
      logpush: false,
    });
    this.version = new WorkerVersion(this, 'version', {
      accountId: props.accountId,
      workerId: this.worker.id,
      mainModule: props.modules[0].name,
      modules: props.modules.map((m) => ({ name: m.name, contentType: m.contentType, contentBase64: Buffer.from(m.content, 'utf8').toString('base64') })),
      bindings: [...(props.bindings ?? [])],
      compatibilityDate: props.compatibilityDate,
      compatibilityFlags: COMPATIBILITY_FLAGS,
    });
    this.deployment = new WorkersDeployment(this, 'deployment', {
      accountId: props.accountId,
      scriptName: props.name,
      strategy: 'percentage',
      versions: [{ versionId: this.version.id, percentage: 100 }],
    });
  }
}
