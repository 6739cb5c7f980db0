/**
 * The Terraform documentation check itself (terraform-docs.ts) can fail: on
 * hand-made stacks of the pinned providers' types it names an unknown
 * argument at the top level and in a nested block, a value outside a
 * documented closed list, two documented conflicting arguments, an
 * attribute Google's pages mark (Output), a type without a kept page and a
 * provider version other than the documented one; and it accepts the
 * documented forms (maps with free keys, blocks as lists, meta-arguments,
 * interpolated values).
 */
import { describeFindings } from './support/findings';
import { checkTerraformArguments, loadProviderDocs } from './terraform-docs';

const google = loadProviderDocs('google');
const azurerm = loadProviderDocs('azurerm');

function findings(json: Record<string, unknown>, provider: 'google' | 'azurerm'): string[] {
  return describeFindings(checkTerraformArguments('s', json, provider === 'google' ? google : azurerm, provider).flatMap((c) => c.findings));
}

const pin = (provider: string, version: string) => ({ required_providers: { [provider]: { source: provider, version } } });

test('the kept pages document the types the stacks use, parsed into blocks', () => {
  expect(google.resources.get('google_cloudfunctions2_function')!.blocks.get('service_config')!.has('available_memory')).toBe(true);
  expect(google.resources.has('google_storage_bucket_iam_member')).toBe(true);
  expect(azurerm.resources.get('azurerm_linux_function_app')!.blocks.get('application_stack')!.has('node_version')).toBe(true);
  expect(azurerm.dataSources.get('azurerm_function_app_host_keys')!.blocks.get('')!.has('resource_group_name')).toBe(true);
  expect(google.provider.blocks.get('')!.has('default_labels')).toBe(true);
  expect(azurerm.provider.blocks.get('')!.has('storage_use_azuread')).toBe(true);
});

test('documented arguments, maps, blocks as lists, meta-arguments and interpolations pass', () => {
  const json = {
    terraform: pin('azurerm', '4.55.0'),
    provider: { azurerm: [{ features: [{}], subscription_id: '${var.s}' }] },
    resource: {
      azurerm_storage_account: {
        a: { '//': {}, depends_on: ['x'], provider: 'azurerm', lifecycle: { prevent_destroy: true }, name: 'n', location: 'l', resource_group_name: 'g', account_tier: '${var.tier}', account_replication_type: 'LRS', tags: { anything: 'goes' } },
      },
      azurerm_linux_function_app: { f: { name: 'f', site_config: [{ application_stack: [{ node_version: '22' }] }], app_settings: { FREE_KEY: '1' } } },
    },
  };
  expect(findings(json, 'azurerm')).toEqual([]);
});

test('an unknown argument, a nested unknown argument, a value outside the list and a conflict are findings', () => {
  const json = {
    terraform: pin('azurerm', '4.55.0'),
    resource: {
      azurerm_storage_account: { a: { name: 'n', account_tier: 'Gold', account_replication_type: 'LRS', nonsense: 1 } },
      azurerm_linux_function_app: { f: { name: 'f', site_config: { application_stack: { node_versions: '22' } } } },
      azurerm_function_app_flex_consumption: { x: { storage_access_key: 'k', storage_user_assigned_identity_id: 'i' } },
    },
  };
  const found = findings(json, 'azurerm');
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringContaining('azurerm_storage_account.a › account_tier: "Gold" is not one of the documented values "Standard", "Premium"'),
      expect.stringContaining('azurerm_storage_account.a › nonsense: not an argument of this type'),
      expect.stringContaining('azurerm_linux_function_app.f › site_config.application_stack.node_versions: not an argument of the `application_stack` block'),
      expect.stringContaining('storage_user_assigned_identity_id: set together with `storage_access_key`'),
    ]),
  );
  expect(found).toHaveLength(4);
});

test("Google's (Output) attributes, a type without a page and another provider version are findings", () => {
  const json = {
    terraform: pin('google', '6.49.0'),
    resource: {
      google_cloudfunctions2_function: { f: { name: 'f', location: 'l', service_config: { uri: 'https://x' } } },
      google_compute_instance: { vm: { name: 'v' } },
      azurerm_resource_group: { other: { unknown_to_google: 1 } },
    },
  };
  const found = findings(json, 'google');
  expect(found).toEqual([
    expect.stringContaining('terraform.required_providers.google.version: pins 6.49.0'),
    expect.stringContaining('service_config.uri: not an argument of the `service_config` block'),
    expect.stringContaining('google_compute_instance.vm › google_compute_instance: no documentation page'),
  ]);
});
