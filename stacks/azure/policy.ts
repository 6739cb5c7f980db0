/**
 * Security policy of an `azure-<study>` stack, checked on its Terraform JSON at
 * synthesis (stacks/cdktf-app.ts refuses a stack with findings, as cdk-nag
 * does on AWS) and by the registry-wide tests.
 */
import { policyOf, type PolicyRule, requireAttributes, resourcesOf } from '../cdktf/policy-rules';

/** Roles that could grant more than one app's settings or one container's blobs. */
const BROAD_ROLES = /^(Owner|Contributor|User Access Administrator|Storage Account Contributor)$/;

export const AZURE_POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'azure-storage-secure',
    description: 'Every storage account: HTTPS only, TLS 1.2, no public blobs, Entra ID by default, infrastructure encryption.',
    check: requireAttributes('azurerm_storage_account', {
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      allow_nested_items_to_be_public: false,
      default_to_oauth_authentication: true,
      infrastructure_encryption_enabled: true,
    }),
  },
  {
    id: 'azure-retained-storage-keyless',
    description: 'A retained account (the results) allows no shared-key access.',
    check: requireAttributes('azurerm_storage_account', { shared_access_key_enabled: false }, (r) => (r.body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy !== true),
  },
  {
    id: 'azure-container-private',
    description: 'Every blob container is private.',
    check: requireAttributes('azurerm_storage_container', { container_access_type: 'private' }),
  },
  {
    id: 'azure-function-app-secure',
    description: 'Every Function App: HTTPS only, TLS 1.2 (also for SCM), no basic-auth publishing.',
    check: (stack) => [
      ...requireAttributes('azurerm_linux_function_app', {
        https_only: true,
        ftp_publish_basic_authentication_enabled: false,
        webdeploy_publish_basic_authentication_enabled: false,
        'site_config.minimum_tls_version': '1.2',
        'site_config.scm_minimum_tls_version': '1.2',
        'site_config.ftps_state': 'Disabled',
      })(stack),
      ...requireAttributes('azurerm_function_app_flex_consumption', {
        https_only: true,
        webdeploy_publish_basic_authentication_enabled: false,
        'site_config.minimum_tls_version': '1.2',
        'site_config.scm_minimum_tls_version': '1.2',
      })(stack),
    ],
  },
  {
    id: 'azure-no-broad-roles',
    description: 'No role assignment of Owner, Contributor, User Access Administrator or Storage Account Contributor.',
    check: (stack) =>
      resourcesOf(stack, 'azurerm_role_assignment')
        .filter((r) => BROAD_ROLES.test(String(r.body.role_definition_name)))
        .map((r) => `azurerm_role_assignment.${r.name}: ${String(r.body.role_definition_name)}`),
  },
];

export const azurePolicy = policyOf(AZURE_POLICY_RULES);
