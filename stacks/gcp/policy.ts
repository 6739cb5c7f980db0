/**
 * Security policy of a `gcp-<study>` stack, checked on its Terraform JSON at
 * synthesis (stacks/cdktf-app.ts refuses a stack with findings, as cdk-nag
 * does on AWS) and by the registry-wide tests.
 */
import { allStrings, policyOf, type PolicyRule, requireAttributes, resourcesOf } from '../cdktf/policy-rules';

export const GCP_POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'gcp-no-public-members',
    description: 'Nothing is granted to allUsers or allAuthenticatedUsers.',
    check: (stack) => resourcesOf(stack).filter((r) => allStrings(r.body).some((s) => /allUsers|allAuthenticatedUsers/.test(s))).map((r) => `${r.type}.${r.name}`),
  },
  {
    id: 'gcp-no-broad-roles',
    description: 'No basic role (owner, editor, viewer) and no *.admin role is granted.',
    check: (stack) =>
      resourcesOf(stack)
        .filter((r) => typeof r.body.role === 'string' && (/^roles\/(owner|editor|viewer)$/.test(r.body.role) || r.body.role.endsWith('.admin')))
        .map((r) => `${r.type}.${r.name}: ${String(r.body.role)}`),
  },
  {
    id: 'gcp-members-are-service-accounts',
    description: 'Every IAM member is one of the stack\'s service accounts.',
    check: (stack) =>
      resourcesOf(stack)
        .filter((r) => r.type.endsWith('_iam_member') && !String(r.body.member).startsWith('serviceAccount:'))
        .map((r) => `${r.type}.${r.name}: ${String(r.body.member)}`),
  },
  {
    id: 'gcp-bucket-private',
    description: 'Every bucket has uniform bucket-level access and enforced public access prevention; no ACL resources.',
    check: (stack) => [
      ...requireAttributes('google_storage_bucket', { uniform_bucket_level_access: true, public_access_prevention: 'enforced' })(stack),
      ...resourcesOf(stack)
        .filter((r) => r.type.endsWith('_acl'))
        .map((r) => `${r.type}.${r.name}: ACLs are not used`),
    ],
  },
  {
    id: 'gcp-function-one-request',
    description: 'Functions serve one request at a time with CPU always allocated to it (what the study measures).',
    check: requireAttributes('google_cloudfunctions2_function', { 'service_config.max_instance_request_concurrency': 1 }),
  },
];

export const gcpPolicy = policyOf(GCP_POLICY_RULES);
