/**
 * TenantFleetReference: the primary stack's view of a second tenant's probes,
 * which live in their own stack (often in another account), so they are
 * addressed by name and ARN rather than by CloudFormation references.
 *
 * - Invoking: an identity grant on the functions' ARNs (the tenant's stack adds
 *   the matching resource policy for the driver's role).
 * - Reconfiguring: in another account the orchestrator assumes the tenant's
 *   updater role (Step Functions `Credentials`); in the same account it is
 *   granted the Lambda actions directly.
 */
import { Grant, type IGrantable, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IReconfigurableFleet } from './orchestrator';

export interface TenantFleetReferenceProps {
  /** Plan function key → ARN of the tenant's probe functions. */
  readonly functionArns: Readonly<Record<string, string>>;
  /** The role to assume for updates, when the tenant is another account. */
  readonly updaterRoleArn?: string;
}

export class TenantFleetReference extends Construct implements IReconfigurableFleet {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: TenantFleetReferenceProps,
  ) {
    super(scope, id);
  }

  grantInvoke(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: Object.values(this.props.functionArns) });
  }

  /** Reconfiguring the tenant's functions among `functionKeys`: assuming its updater role, or a grant on them; nothing when none is updated. */
  grantReconfigure(grantee: IGrantable, functionKeys: ReadonlySet<string>): Grant | null {
    const arns = Object.entries(this.props.functionArns).filter(([key]) => functionKeys.has(key)).map(([, arn]) => arn);
    if (arns.length === 0) return null;
    if (this.props.updaterRoleArn) {
      return Role.fromRoleArn(this, 'Updater', this.props.updaterRoleArn, { mutable: false }).grantAssumeRole(grantee.grantPrincipal);
    }
    return Grant.addToPrincipal({
      grantee,
      actions: ['lambda:UpdateFunctionConfiguration', 'lambda:GetFunctionConfiguration'],
      resourceArns: arns,
    });
  }
}
