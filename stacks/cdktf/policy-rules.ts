/**
 * Small helpers for the CDK for Terraform targets' policy rules (like cdk-nag's
 * rules: each a pure check with a one-line description): walk a stack's
 * resources and say which break a rule.
 */
import type { TerraformJson, TerraformPolicy } from './synthesize';

export interface PolicyRule {
  /** e.g. `gcp-bucket-private` */
  readonly id: string;
  /** What the rule requires, in one line. */
  readonly description: string;
  /** The addresses of the resources that break it, each with why. */
  check(stack: TerraformJson): string[];
}

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

export function resourcesOf(stack: TerraformJson, type?: string): Resource[] {
  return Object.entries(stack.resource ?? {})
    .filter(([t]) => type === undefined || t === type)
    .flatMap(([t, byName]) => Object.entries(byName).map(([name, body]) => ({ type: t, name, body })));
}

/** Every string anywhere in a value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}

/** Resources of a type whose attributes do not all have the expected values (`a.b` paths). */
export function requireAttributes(type: string, expected: Record<string, unknown>, unless?: (r: Resource) => boolean): (stack: TerraformJson) => string[] {
  return (stack) =>
    resourcesOf(stack, type)
      .filter((r) => !unless?.(r))
      .flatMap((r) =>
        Object.entries(expected)
          .filter(([attribute, value]) => attributeAt(r.body, attribute) !== value)
          .map(([attribute, value]) => `${r.type}.${r.name}: ${attribute} is ${JSON.stringify(attributeAt(r.body, attribute))}, expected ${JSON.stringify(value)}`),
      );
}

function attributeAt(body: Record<string, unknown>, attribute: string): unknown {
  let value: unknown = body;
  for (const part of attribute.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** A policy made of rules: each finding is prefixed with its rule id. */
export function policyOf(rules: readonly PolicyRule[]): TerraformPolicy {
  return (stack) => rules.flatMap((rule) => rule.check(stack).map((finding) => `${rule.id}: ${finding}`));
}
