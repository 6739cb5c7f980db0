/**
 * IAM policy evaluation for the calls the AWS twin serves, for the policy
 * features Curtain's stacks use: identity policies of one account, Allow and
 * Deny statements, Action/NotAction and Resource/NotResource with `*` and `?`
 * wildcards (actions case-insensitive, resources case-sensitive). An explicit
 * Deny wins, then any Allow; otherwise the call is implicitly denied, as in
 * AWS's evaluation logic for a principal and a resource of the same account
 * without resource-based policies, permission boundaries, session policies or
 * SCPs (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
 * read 2026-12-06). A statement with a Condition is a feature this evaluator
 * does not model: it throws, naming the statement, rather than guess.
 * test/twins/aws/iam-evaluate.test.ts checks its decisions against
 * @cloud-copilot/iam-simulate.
 */
import type { PolicyDocument, Statement } from './template-roles';

export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';

export class UnsupportedPolicyError extends Error {
  override name = 'UnsupportedPolicyError';
}

export interface EvaluationRequest {
  action: string;
  resource: string;
}

export function evaluate(policies: readonly PolicyDocument[], request: EvaluationRequest, where = 'policy'): Decision {
  let allowed = false;
  for (const [p, policy] of policies.entries()) {
    for (const [s, statement] of [policy.Statement].flat().entries()) {
      if (!applies(statement, request, `${where} #${p + 1} statement #${s + 1}`)) continue;
      if (statement.Effect === 'Deny') return 'explicit-deny';
      allowed = true;
    }
  }
  return allowed ? 'allowed' : 'implicit-deny';
}

function applies(statement: Statement, request: EvaluationRequest, where: string): boolean {
  if (statement.Condition !== undefined) throw new UnsupportedPolicyError(`${where}: Condition is not modelled by the twin's IAM evaluator`);
  if (statement.Principal !== undefined) throw new UnsupportedPolicyError(`${where}: Principal belongs in resource policies, not identity policies`);
  const action = matchesAny(statement.Action, statement.NotAction, request.action, true, `${where}: Action or NotAction`);
  return action && matchesAny(statement.Resource, statement.NotResource, request.resource, false, `${where}: Resource or NotResource`);
}

function matchesAny(list: string | string[] | undefined, notList: string | string[] | undefined, value: string, ignoreCase: boolean, what: string): boolean {
  if ((list === undefined) === (notList === undefined)) throw new UnsupportedPolicyError(`${what}: exactly one of them must be present`);
  const hit = (patterns: string | string[]) => [patterns].flat().some((pattern) => wildcard(pattern, ignoreCase).test(value));
  return list !== undefined ? hit(list) : !hit(notList!);
}

const cache = new Map<string, RegExp>();

/** IAM's wildcards: `*` any run of characters (also across `:` and `/`), `?` one character. */
export function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    cache.set(key, re);
  }
  return re;
}
