/**
 * The Google twin refuses a stack it does not understand (a resource kind, a
 * runtime, a setting, a Terraform expression, a Workflows construct, a role):
 * one line naming the artifact and the construct, exit 1 (a TargetError the
 * CLI prints as it is), before or instead of a run that would mean something else.
 */
import { TargetError } from '../../targets/target-errors';

export class GcpArtifactError extends TargetError {
  override name = 'GcpArtifactError';
  constructor(message: string) {
    super(`curtain: the Google twin cannot run this stack: ${message}`, 'input');
  }
}
