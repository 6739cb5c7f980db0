/**
 * Policy and structure tests on the synthesized Terraform JSON of azure-<study>:
 * one in-process synthesis on Consumption (coldstart, isolation with a second
 * subscription) and one on Flex Consumption (update-consistency), shared by every test.
 */
import { planStudy } from '../../../experiments/plan';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import type { TerraformJson } from '../../../stacks/cdktf/synthesize';
import { azurePolicy } from '../../../stacks/azure/policy';
import { allStrings, resourcesOf, type Synthesis, type SynthesizedStack, synthesize } from '../cdktf/synth-fixture';

const TAGGED = [
  'azurerm_resource_group',
  'azurerm_storage_account',
  'azurerm_service_plan',
  'azurerm_linux_function_app',
  'azurerm_function_app_flex_consumption',
  'azurerm_user_assigned_identity',
];
const TAG_LESS = ['azurerm_storage_container', 'azurerm_storage_blob', 'azurerm_role_assignment', 'azurerm_role_definition'];

let consumption: Synthesis;
let flex: Synthesis;
const stacks = (): [string, SynthesizedStack][] => [
  ...[...consumption.stacks].map(([n, s]) => [n, s] as [string, SynthesizedStack]),
  ...[...flex.stacks].map(([n, s]) => [`${n} (flex)`, s] as [string, SynthesizedStack]),
];

beforeAll(() => {
  consumption = synthesize({ CURTAIN_STUDY: 'coldstart,isolation', CURTAIN_PROVIDERS: 'azure' });
  flex = synthesize({ CURTAIN_STUDY: 'update-consistency', CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_HOSTING: 'flex' });
});
afterAll(() => {
  consumption.cleanup();
  flex.cleanup();
});

describe('azure stacks: the policy the cdktf app enforces (stacks/azure/policy.ts)', () => {
  it('passes on every synthesized stack', () => {
    for (const [name, s] of stacks()) expect({ name, findings: azurePolicy(s.json) }).toEqual({ name, findings: [] });
  });

  it('flags TLS 1.0, a public container, shared keys on the results account, an app without HTTPS and an Owner role', () => {
    const json = structuredClone(consumption.stacks.get('azure-coldstart')!.json) as TerraformJson;
    const accounts = json.resource!.azurerm_storage_account!;
    const results = Object.keys(accounts).find((k) => k.startsWith('results'))!;
    accounts[results]!.min_tls_version = 'TLS1_0';
    accounts[results]!.shared_access_key_enabled = true;
    const containers = json.resource!.azurerm_storage_container!;
    const container = Object.keys(containers)[0]!;
    containers[container]!.container_access_type = 'blob';
    const apps = json.resource!.azurerm_linux_function_app!;
    const app = Object.keys(apps)[0]!;
    apps[app]!.https_only = false;
    const roles = json.resource!.azurerm_role_assignment!;
    const role = Object.keys(roles)[0]!;
    roles[role]!.role_definition_name = 'Owner';
    expect(azurePolicy(json)).toEqual(
      expect.arrayContaining([
        `azure-storage-secure: azurerm_storage_account.${results}: min_tls_version is "TLS1_0", expected "TLS1_2"`,
        `azure-retained-storage-keyless: azurerm_storage_account.${results}: shared_access_key_enabled is true, expected false`,
        `azure-container-private: azurerm_storage_container.${container}: container_access_type is "blob", expected "private"`,
        `azure-function-app-secure: azurerm_linux_function_app.${app}: https_only is false, expected true`,
        `azure-no-broad-roles: azurerm_role_assignment.${role}: Owner`,
      ]),
    );
  });
});

describe('azure stacks: policy', () => {
  it('synthesizes the requested stacks', () => {
    expect([...consumption.stacks.keys()].sort()).toEqual(['azure-coldstart', 'azure-isolation']);
    expect([...flex.stacks.keys()]).toEqual(['azure-update-consistency']);
  });

  it('every storage account: HTTPS only, TLS 1.2, no public blobs, private containers', () => {
    for (const [name, s] of stacks()) {
      const accounts = resourcesOf(s, 'azurerm_storage_account');
      expect(accounts.length).toBeGreaterThanOrEqual(2);
      for (const a of accounts) {
        expect({ name, a: a.body }).toMatchObject({
          a: { https_traffic_only_enabled: true, min_tls_version: 'TLS1_2', allow_nested_items_to_be_public: false },
        });
      }
      for (const c of resourcesOf(s, 'azurerm_storage_container')) expect(c.body.container_access_type).toBe('private');
    }
  });

  it('the results account has no shared keys, is versioned and retained; host storage keeps keys only on Consumption', () => {
    for (const [name, s] of stacks()) {
      const accounts = resourcesOf(s, 'azurerm_storage_account');
      const results = accounts.find((a) => String(a.body.name).startsWith('ctres'))!;
      expect(results.body).toMatchObject({ shared_access_key_enabled: false, blob_properties: { versioning_enabled: true }, lifecycle: { prevent_destroy: true } });
      const hosts = accounts.filter((a) => String(a.body.name).startsWith('cthost'));
      for (const h of hosts) expect({ name, keys: h.body.shared_access_key_enabled }).toEqual({ name, keys: !name.endsWith('(flex)') });
    }
  });

  it('every resource is tagged with the study, or is of a type that cannot carry tags', () => {
    for (const [name, s] of stacks()) {
      const study = name.replace(/^azure-/, '').replace(' (flex)', '');
      for (const r of s.resources) {
        if (TAGGED.includes(r.type)) expect({ r: r.name, tags: r.body.tags }).toMatchObject({ tags: { 'curtain-study': study } });
        else expect(TAG_LESS).toContain(r.type);
      }
    }
  });

  it('function apps: HTTPS only, TLS 1.2, no FTP or basic-auth publishing', () => {
    for (const [, s] of stacks()) {
      const apps = [...resourcesOf(s, 'azurerm_linux_function_app'), ...resourcesOf(s, 'azurerm_function_app_flex_consumption')];
      expect(apps.length).toBeGreaterThan(1);
      for (const app of apps) {
        expect(app.body).toMatchObject({ https_only: true, webdeploy_publish_basic_authentication_enabled: false, site_config: { minimum_tls_version: '1.2' } });
        if (app.type === 'azurerm_linux_function_app') expect(app.body).toMatchObject({ ftp_publish_basic_authentication_enabled: false, site_config: { ftps_state: 'Disabled' } });
      }
    }
  });

  it('no output carries a key, a SAS or a connection string', () => {
    for (const [, s] of stacks()) {
      const outputs = Object.values(s.json.output!).flatMap((o) => allStrings((o as { value: unknown }).value));
      expect(outputs.length).toBeGreaterThan(0);
      expect(outputs.filter((o) => /key|sas|connection_string|primary_access/i.test(o))).toEqual([]);
    }
  });

  it('least privilege: the driver writes only the results container and changes only the apps the plan updates', () => {
    for (const [name, s] of stacks()) {
      const driverRoles = resourcesOf(s, 'azurerm_role_assignment').filter((r) => String(r.body.principal_id).includes('.driver_app_'));
      const names = driverRoles.map((r) => r.body.role_definition_name);
      expect(names.filter((n) => /Owner|^Contributor$|User Access/.test(String(n)) && !String(n).startsWith('Storage Blob Data Owner'))).toEqual([]);
      const results = driverRoles.filter((r) => r.body.role_definition_name === 'Storage Blob Data Contributor');
      expect({ name, scopes: results.map((r) => r.body.scope) }).toEqual({ name, scopes: [expect.stringMatching(/\/blobServices\/default\/containers\/results$/)] });
      const study = name.replace(/^azure-/, '').replace(' (flex)', '');
      const plan = planStudy(buildCatalogStudy(study), { provider: 'azure', hosting: name.endsWith('(flex)') ? 'flex' : undefined });
      const updated = new Set(plan.steps.flatMap((st) => (st.kind === 'update' ? [st.function] : [])));
      // A custom role (reconfigure) instead of Website Contributor: see test/conformance/iam-bindings.ts.
      expect(driverRoles.filter((r) => String(r.body.role_definition_id).includes('azurerm_role_definition.'))).toHaveLength(updated.size);
      expect(driverRoles.filter((r) => r.body.role_definition_name === 'Website Contributor')).toEqual([]);
    }
  });
});

describe('azure stacks: structure', () => {
  it('Consumption apps share a Y1 plan; Flex apps get FC1 plans with the plan memory per app', () => {
    const y1 = resourcesOf(consumption.stacks.get('azure-coldstart')!, 'azurerm_service_plan');
    expect(y1.map((p) => p.body.sku_name)).toEqual(['Y1']);
    const f = flex.stacks.get('azure-update-consistency')!;
    const plan = planStudy(buildCatalogStudy('update-consistency'), { provider: 'azure', hosting: 'flex' });
    const apps = resourcesOf(f, 'azurerm_function_app_flex_consumption');
    expect(apps).toHaveLength(plan.functions.length + 1);
    for (const fn of plan.functions) {
      expect(apps.find((a) => String(a.body.name).startsWith(fn.name))!.body).toMatchObject({
        instance_memory_in_mb: fn.memoryMb,
        runtime_name: 'node',
        storage_authentication_type: 'UserAssignedIdentity',
      });
    }
    expect(resourcesOf(f, 'azurerm_service_plan').every((p) => p.body.sku_name === 'FC1')).toBe(true);
  });

  it('puts tenant b in a second subscription through a provider alias', () => {
    const s = consumption.stacks.get('azure-isolation')!;
    expect(Object.keys(s.json.variable!)).toEqual(expect.arrayContaining(['azure_subscription_id', 'azure_subscription_id_b']));
    const bApps = resourcesOf(s, 'azurerm_linux_function_app').filter((a) => (a.body.tags as Record<string, string>)['curtain-tenant'] === 'b');
    expect(bApps).toHaveLength(5);
    expect(bApps.every((a) => a.body.provider === 'azurerm.tenant_b')).toBe(true);
  });

  it('the driver app carries targets, function keys and app ids as settings; probes ignore run-time generation changes', () => {
    const s = consumption.stacks.get('azure-coldstart')!;
    const apps = resourcesOf(s, 'azurerm_linux_function_app');
    const driver = apps.find((a) => (a.body.tags as Record<string, string>)['curtain-function'] === 'driver')!;
    expect(driver.body.identity).toEqual({ type: 'SystemAssigned' });
    expect(driver.body.app_settings).toMatchObject({
      CURTAIN_BUCKET: 'results',
      CURTAIN_TARGETS: expect.stringContaining('/api/probe'),
      CURTAIN_FUNCTION_KEYS: expect.stringContaining('default_function_key'),
      CURTAIN_APP_IDS: expect.stringContaining('jsonencode'),
    });
    for (const probe of apps.filter((a) => a !== driver)) {
      expect(probe.body.lifecycle).toEqual({ ignore_changes: ['app_settings["CURTAIN_GENERATION"]'] });
      expect(probe.body.identity).toBeUndefined();
    }
  });
});
