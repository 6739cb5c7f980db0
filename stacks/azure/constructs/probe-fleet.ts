/**
 * The study's probes on Azure: one Function App per plan function, in its
 * tenant's resource group, with the plan's runtime, memory (Flex), maximum
 * instances and environment. Each is reached over HTTPS with its function key,
 * which only the driver's settings hold; only the apps update steps change
 * may be reconfigured, through grantReconfigure.
 */
import { DataAzurermFunctionAppHostKeys } from '@cdktf/provider-azurerm/lib/data-azurerm-function-app-host-keys';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { Construct } from 'constructs';
import { CAPABILITIES } from '../../../experiments/capabilities';
import { changedVariables, peakDemand, updatedFunctions } from '../../../experiments/plan-queries';
import type { PlanFunction, StudyPlan } from '../../../experiments/plan-schema';
import type { BundleSet } from '../../../probe-runtime/build/bundle-set';
import { probeBundleName, PYTHON_PROBE_BUNDLE } from '../../../probe-runtime/contracts/bundle-manifest';
import { nodePackageJson, stagePackage } from '../../cdktf/stage-package';
import { addressTransparent } from '../../cdktf/stable-address';
import { hostJson } from '../host-json';
import { azureNames, azureTags, PROBE_ROUTE } from '../names';
import { pythonProbeFiles } from '../python-probe-files';
import { FunctionApp } from './function-app';
import type { AzureTenantScope } from './tenant-scope';

/** The Functions worker loads @azure/functions from the app's node_modules. */
export const AZURE_FUNCTIONS = ['@azure/functions'];

/**
 * What the driver's update activity does to an app it reconfigures (probe-runtime/driver/azure-durable/
 * update-app.ts), as ARM operations: read the app settings (POST config/appsettings/list), write them
 * back (PUT config/appsettings) and, for a memory change on Flex, PATCH the site. Website Contributor
 * would add everything else on the app (delete, slots, publishing credentials, source control).
 */
export const RECONFIGURE_ACTIONS = ['Microsoft.Web/sites/config/list/action', 'Microsoft.Web/sites/config/write'] as const;
export const RECONFIGURE_MEMORY_ACTIONS = ['Microsoft.Web/sites/write'] as const;

export interface AzureProbeFleetProps {
  readonly plan: StudyPlan;
  /** Each tenant's scope, by tenant letter. */
  readonly tenants: ReadonlyMap<string, AzureTenantScope>;
  readonly bundles: BundleSet;
  readonly stagingRoot: string;
}

interface Probe {
  readonly fn: PlanFunction;
  readonly app: FunctionApp;
  /** The app's default function key (a Terraform reference, secret). */
  readonly key: string;
}

export class AzureProbeFleet extends Construct {
  /** Plan function key → its app and key. */
  readonly probes = new Map<string, Probe>();
  private readonly updated: ReadonlySet<string>;
  private readonly tenants: ReadonlyMap<string, AzureTenantScope>;
  private readonly plan: StudyPlan;

  constructor(scope: Construct, id: string, props: AzureProbeFleetProps) {
    super(scope, id);
    addressTransparent(this);
    const { plan } = props;
    const study = plan.study.id;
    const hosting = plan.hosting as 'consumption' | 'flex';
    this.tenants = props.tenants;
    this.plan = plan;
    this.updated = new Set(updatedFunctions(plan).keys());
    const changed = changedVariables(plan);
    for (const fn of plan.functions) {
      const t = props.tenants.get(fn.tenant)!;
      const app = new FunctionApp(this, `probe-${fn.key}`, {
        provider: t.provider,
        hosting,
        name: azureNames.functionApp(fn.name, t.suffix),
        resourceGroupName: t.group.name,
        location: plan.region,
        host: t.host,
        package: t.packageFor(probePackage(props, fn)),
        runtime: fn.runtime,
        runtimeVersion: fn.runtimeVersion,
        memoryMb: fn.memoryMb,
        maxInstances: peakDemand(plan, fn.key),
        appSettings: fn.env,
        tags: { ...azureTags(study, fn.tenant), 'curtain-function': fn.key },
        identity: false,
        settingsChangedAtRunTime: this.updated.has(fn.key) ? changed : undefined,
      });
      const keys = new DataAzurermFunctionAppHostKeys(this, `probe-keys-${fn.key}`, { provider: t.provider, name: app.name, resourceGroupName: t.group.name });
      this.probes.set(fn.key, { fn, app, key: keys.defaultFunctionKey });
    }
  }

  /** Each probe's HTTPS endpoint by function key (the driver's CURTAIN_TARGETS). */
  urls(): Record<string, string> {
    return Object.fromEntries([...this.probes].map(([key, p]) => [key, `https://${p.app.defaultHostname}${PROBE_ROUTE}`]));
  }

  /** Each probe's function key by function key: secret, for the driver's settings only (CURTAIN_FUNCTION_KEYS). */
  functionKeys(): Record<string, string> {
    return Object.fromEntries([...this.probes].map(([key, p]) => [key, p.key]));
  }

  /** The ARM ids of the apps update steps reconfigure (CURTAIN_APP_IDS). */
  updatedAppIds(): Record<string, string> {
    return Object.fromEntries([...this.probes].filter(([key]) => this.updated.has(key)).map(([key, p]) => [key, p.app.id]));
  }

  /**
   * Lets an identity change the settings of the apps update steps reconfigure, and only those: a custom
   * role per tenant (assignable only in the tenant's resource group) with exactly the actions the update
   * activity calls, assigned on each such app.
   */
  grantReconfigure(principalId: string): void {
    const updates = updatedFunctions(this.plan);
    const memory = this.plan.hosting === 'flex' && [...updates.values()].some((u) => u.memory);
    const roles = new Map<string, string>();
    const roleOf = (t: AzureTenantScope): string => {
      let role = roles.get(t.tenant);
      if (!role) {
        role = new RoleDefinition(this, `reconfigure-role-${t.tenant}`, {
          provider: t.provider,
          // Custom role names are unique in the Entra tenant: the study's name suffix keeps them apart.
          name: `curtain-${this.plan.study.id}-reconfigure-${t.tenant}-${t.suffix}`,
          scope: t.group.id,
          assignableScopes: [t.group.id],
          description: `Curtain ${this.plan.study.id}: read and write the app settings of the probe apps the plan updates`,
          permissions: [{ actions: [...RECONFIGURE_ACTIONS, ...(memory ? RECONFIGURE_MEMORY_ACTIONS : [])], notActions: [] }],
        }).roleDefinitionResourceId;
        roles.set(t.tenant, role);
      }
      return role;
    };
    for (const [key, { fn, app }] of this.probes) {
      if (!this.updated.has(key)) continue;
      const t = this.tenants.get(fn.tenant)!;
      new RoleAssignment(this, `driver-updates-${key}`, {
        provider: t.provider,
        scope: app.id,
        roleDefinitionId: roleOf(t),
        principalId,
        principalType: 'ServicePrincipal',
      });
    }
  }
}

function probePackage(props: AzureProbeFleetProps, fn: PlanFunction): string {
  const host = hostJson({ functionTimeout: fn.timeoutSeconds, maxSeconds: CAPABILITIES.azure.hosting[props.plan.hosting]!.maxTimeoutSeconds });
  if (fn.runtime === 'python') {
    return stagePackage(props.stagingRoot, { from: [props.bundles.dir(PYTHON_PROBE_BUNDLE)], files: { 'host.json': host, ...pythonProbeFiles() } });
  }
  return stagePackage(props.stagingRoot, {
    from: [props.bundles.dir(probeBundleName('azure'))],
    files: { 'host.json': host, 'package.json': nodePackageJson('curtain-probe', AZURE_FUNCTIONS) },
    nodeModules: AZURE_FUNCTIONS,
  });
}
