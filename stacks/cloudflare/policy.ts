/**
 * Security policy of a `cloudflare-<study>` stack, checked on its Terraform
 * JSON at synthesis (the cdktf app refuses a stack with findings) and by the
 * registry-wide tests.
 */
import { allStrings, policyOf, type PolicyRule, requireAttributes, resourcesOf } from '../cdktf/policy-rules';

/** Resources that would give a Worker or a bucket a public address. */
const PUBLIC_ENTRY_TYPES = ['cloudflare_workers_route', 'cloudflare_workers_custom_domain', 'cloudflare_workers_script_subdomain', 'cloudflare_r2_custom_domain', 'cloudflare_r2_managed_domain'];

export const CLOUDFLARE_POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'cloudflare-no-public-entry',
    description: 'No route, custom domain, workers.dev subdomain or public bucket domain: probes are reached through service bindings only, results through the API.',
    check: (stack) => resourcesOf(stack).filter((r) => PUBLIC_ENTRY_TYPES.includes(r.type)).map((r) => `${r.type}.${r.name}: public entry point`),
  },
  {
    id: 'cloudflare-worker-private',
    description: 'Every Worker has its workers.dev subdomain and preview URLs disabled.',
    check: requireAttributes('cloudflare_worker', { 'subdomain.enabled': false, 'subdomain.previews_enabled': false }),
  },
  {
    id: 'cloudflare-named-for-study',
    description: 'Every Worker, bucket and workflow is named with the study (and Workers tagged with it), so a study\'s resources are found and torn down together.',
    check: (stack) => {
      const study = resourcesOf(stack, 'cloudflare_worker')[0]?.body.tags as string[] | undefined;
      const tag = study?.find((t) => t.startsWith('curtain-study:'));
      if (!tag) return ['cloudflare_worker: no curtain-study tag'];
      const id = tag.slice('curtain-study:'.length);
      return resourcesOf(stack)
        .filter((r) => ['cloudflare_worker', 'cloudflare_r2_bucket', 'cloudflare_workflow'].includes(r.type))
        .filter((r) => !allStrings([r.body.name, r.body.workflow_name]).some((s) => s.includes(id)) || (r.type === 'cloudflare_worker' && !(r.body.tags as string[]).includes(tag)))
        .map((r) => `${r.type}.${r.name}: not named/tagged with study ${id}`);
    },
  },
  {
    id: 'cloudflare-probe-bindings-only-probes',
    description: 'The driver\'s service bindings point only at this stack\'s Workers.',
    check: (stack) => {
      const workers = new Set(resourcesOf(stack, 'cloudflare_worker').map((r) => `\${cloudflare_worker.${r.name}.name}`));
      return resourcesOf(stack, 'cloudflare_worker_version').flatMap((r) =>
        ((r.body.bindings as { type: string; name: string; service?: string }[] | undefined) ?? [])
          .filter((b) => b.type === 'service' && !workers.has(String(b.service)))
          .map((b) => `${r.type}.${r.name}: binding ${b.name} reaches ${String(b.service)}, not a Worker of this stack`),
      );
    },
  },
];

export const cloudflarePolicy = policyOf(CLOUDFLARE_POLICY_RULES);
