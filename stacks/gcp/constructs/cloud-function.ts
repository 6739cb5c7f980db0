/**
 * A Cloud Functions 2nd gen HTTP function built from an uploaded package (a
 * zip in the tenant's sources bucket, see tenant-scope.ts), deployed with a
 * dedicated service account.
 * Invocation needs IAM (run.invoker), which only the stack grants: nobody else,
 * and never allUsers, can call it.
 */
import { Cloudfunctions2Function } from '@cdktf/provider-google/lib/cloudfunctions2-function';
import type { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface CloudFunctionProps {
  /** The provider (project) to deploy in. @default the stack's default google provider */
  readonly provider?: GoogleProvider;
  /** The function's name, unique in its project and region. */
  readonly name: string;
  readonly region: string;
  /** The sources bucket holding the package. */
  readonly sourcesBucket: string;
  /** Object name of the zipped package in the sources bucket. */
  readonly sourceObject: string;
  /** Runtime identifier, e.g. `nodejs22` (the plan's runtimeVersion). */
  readonly runtime: string;
  /** The exported function the Functions Framework serves. */
  readonly entryPoint: string;
  readonly memoryMb: number;
  readonly vcpu: number;
  readonly timeoutSeconds: number;
  /** Most instances the platform may start (the plan's peak demand). */
  readonly maxInstances: number;
  readonly env: Record<string, string>;
  /** The identity the function runs as. */
  readonly serviceAccountEmail: string;
  readonly labels: Record<string, string>;
  /**
   * Settings the orchestrator changes at run time (environment, memory, CPU): Terraform must not revert them.
   * @default false
   */
  readonly changedAtRunTime?: boolean;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class CloudFunction extends Construct {
  readonly fn: Cloudfunctions2Function;

  constructor(scope: Construct, id: string, props: CloudFunctionProps) {
    super(scope, id);
    this.fn = new Cloudfunctions2Function(this, 'function', {
      provider: props.provider,
      name: props.name,
      location: props.region,
      labels: props.labels,
      buildConfig: {
        runtime: props.runtime,
        entryPoint: props.entryPoint,
        source: { storageSource: { bucket: props.sourcesBucket, object: props.sourceObject } },
      },
      serviceConfig: {
        availableMemory: `${props.memoryMb}Mi`,
        availableCpu: String(props.vcpu),
        timeoutSeconds: props.timeoutSeconds,
        minInstanceCount: 0,
        maxInstanceCount: props.maxInstances,
        // One request per instance, as on Lambda: what the paper measured, and required below one vCPU.
        maxInstanceRequestConcurrency: 1,
        environmentVariables: props.env,
        serviceAccountEmail: props.serviceAccountEmail,
        // Reachable over HTTPS, but every request must carry an ID token of an invoker (IAM).
        ingressSettings: 'ALLOW_ALL',
        allTrafficOnLatestRevision: true,
      },
      dependsOn: props.dependsOn,
      lifecycle: props.changedAtRunTime
        ? { ignoreChanges: ['service_config[0].environment_variables', 'service_config[0].available_memory', 'service_config[0].available_cpu'] }
        : undefined,
    });
  }
}
