/**
 * Issue 10, defect 9: a synthesized cdktf stack must not depend on the machine
 * that synthesized it. Its Terraform state lives in the stack's own folder (a
 * local backend with a relative path, which `terraform apply` resolves in the
 * folder it runs in), and no string of the JSON holds the synthesizing
 * machine's working directory or temporary directory.
 */
import os from 'node:os';
import path from 'node:path';
import { STACK_STATE_FILE } from '../../../stacks/cdktf/cdktf-deployment';
import { allStrings } from '../../stacks/cdktf/synth-fixture';
import type { Finding } from './findings';

export function machineIndependenceFindings(stackName: string, json: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const reference = "Terraform's local backend: a relative `path` is taken from the root module's folder (the stack folder)";
  const backend = (json.terraform as { backend?: Record<string, { path?: string }> } | undefined)?.backend;
  const kinds = Object.keys(backend ?? {});
  const statePath = backend?.local?.path;
  if (kinds.length !== 1 || statePath !== STACK_STATE_FILE) {
    findings.push({ artifact: stackName, field: 'terraform.backend', reference, message: `${JSON.stringify(backend)}: expected the local backend at "${STACK_STATE_FILE}" in the stack folder` });
  }
  const machine = [process.cwd(), os.tmpdir()].map((p) => path.resolve(p));
  for (const s of allStrings(json)) {
    const hit = machine.find((m) => s.includes(m));
    if (hit) findings.push({ artifact: stackName, field: '(any string)', reference, message: `holds the synthesizing machine's path ${hit}: ${s.slice(0, 120)}` });
  }
  return findings;
}
