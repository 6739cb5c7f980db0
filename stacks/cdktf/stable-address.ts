/**
 * Terraform addresses that must not move. The Google and Azure stacks were
 * built as one stack-level construct each until 2026-12, so their resources'
 * addresses (`google_service_account.driver-account`,
 * `google_cloudfunctions2_function.driver_function_C0652D03`) come from
 * construct paths without the constructs the stacks are composed of now.
 * A new address would make Terraform destroy and recreate what a deployment
 * already has (the retained results store refuses that: prevent_destroy), so
 * these stacks allocate addresses as before: the composing constructs are
 * marked transparent (and a tenant scope puts its tenant suffix, `_b`, into
 * the ids of its children, where the old ids had it).
 */
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

// cdktf's own logical id from path components (what TerraformStack.allocateLogicalId uses).
// (a private module of cdktf, reached by path: the package has no export map for it)
const { makeUniqueId } = require('cdktf/lib/private/unique') as { makeUniqueId(components: string[]): string };

type ChildId = (id: string) => string;
const TRANSPARENT = new WeakMap<IConstruct, ChildId>();

/** Leaves `construct` out of its resources' addresses; `childId` gives the id its direct children had in them. */
export function addressTransparent(construct: IConstruct, childId: ChildId = (id) => id): void {
  TRANSPARENT.set(construct, childId);
}

/** A tenant's suffix as the old ids carried it: before a trailing index (`consumption-plan_b-2`), else at the end (`group_b`). */
export function tenantSuffixed(suffix: string): ChildId {
  return (id) => id.replace(/(-\d+)?$/, `${suffix}$1`);
}

/** A stack whose resources get their addresses without the transparent constructs on their path. */
export class StableAddressStack extends TerraformStack {
  protected override allocateLogicalId(element: Parameters<TerraformStack['allocateLogicalId']>[0]): string {
    const node = 'node' in element ? element.node : element;
    const scopes = node.scopes.slice(node.scopes.indexOf(this) + 1);
    const components: string[] = [];
    let childId: ChildId = (id) => id;
    for (const scope of scopes) {
      const transparent = TRANSPARENT.get(scope);
      if (transparent !== undefined) {
        childId = transparent;
        continue;
      }
      components.push(childId(scope.node.id));
      childId = (id) => id;
    }
    return components.length > 0 ? makeUniqueId(components) : '';
  }
}
