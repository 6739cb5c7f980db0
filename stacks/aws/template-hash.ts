/**
 * The hash run.json records for an AWS run (`templateHash`): sha256 of the
 * stack's CloudFormation template as canonical JSON (keys sorted, no
 * whitespace), so the synthesized file (the twin, twins/aws/cloud-assembly.ts)
 * and the body CloudFormation returns for the deployed stack (`curtain start`,
 * GetTemplate) give the same hash however either is formatted. The deployed
 * driver cannot carry it (the template contains the driver's own asset hash),
 * so the starter passes it in the execution's input and start-run records it.
 */
import { canonicalJson, sha256Hex } from '../../experiments/canonical-json';

export function awsTemplateHash(templateText: string): string {
  return sha256Hex(canonicalJson(JSON.parse(templateText)));
}
