/**
 * What a region, a hosting plan and a cloud resource name may look like, checked
 * where they enter (CLI options, `-c` context, synthesis environment, plan.json,
 * run.json): they are printed into shell commands (`curtain replan`) and used in
 * resource names and URLs, so a value such as `us-east-1;touch pwned` is refused
 * at input, not merely quoted on output.
 *
 * Patterns follow each provider's published naming (checked 2026-12-06):
 * AWS "Regions and Availability Zones" (us-east-1, us-gov-west-1, cn-north-1,
 * eu-central-2), Google "Cloud locations" (us-central1, europe-west12,
 * northamerica-south1), Azure "az account list-locations" names (eastus,
 * westus3, germanywestcentral). Only zod is imported: the driver bundles read
 * plan.json with these checks and must stay small.
 */
import { z } from 'zod';
import type { ProviderId } from '../probe-runtime/contracts/providers';

type Provider = ProviderId;

/** Each provider's region names (a total record: a new provider says what its regions look like); its target's `options.region`. */
export const REGION_NAMES: Record<Provider, { pattern: RegExp; example: string; what: string }> = {
  aws: { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, example: 'us-east-1', what: 'an AWS region' },
  gcp: { pattern: /^[a-z]+-[a-z]+\d{1,2}$/, example: 'us-central1', what: 'a Google Cloud region' },
  azure: { pattern: /^[a-z][a-z0-9]{1,39}$/, example: 'eastus', what: 'an Azure region' },
  // Cloudflare: Workers run everywhere; the region is the R2 bucket's location hint (R2 data location docs).
  cloudflare: { pattern: /^(wnam|enam|weur|eeur|apac|oc)$/, example: 'enam', what: 'an R2 location hint (wnam, enam, weur, eeur, apac, oc)' },
  local: { pattern: /^local$/, example: 'local', what: 'the local platform\'s region' },
};

/** A hosting plan name as the capability table spells them (lambda, consumption, flex, emulated). */
export const HOSTING_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** The message for a region that does not fit its provider, or null when it fits. */
export function regionProblem(provider: Provider, region: string): string | null {
  const names = REGION_NAMES[provider];
  return names.pattern.test(region) ? null : `expected ${names.what} such as ${names.example}, got ${JSON.stringify(region)}`;
}

/** A region of any provider (before the provider is known): letters, digits and hyphens only. */
export const anyRegion = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'expected a region such as us-east-1, us-central1 or eastus');

export const hostingName = z.string().regex(HOSTING_NAME, 'expected a hosting plan name such as consumption or flex');

/** Adds an issue at `path` when `region` does not fit `provider` (for z.superRefine of objects holding both). */
export function checkRegion(provider: Provider, region: string | undefined, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  if (region === undefined) return;
  const problem = regionProblem(provider, region);
  if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
}

/**
 * A file or directory path typed by a user: any characters a file system allows
 * except control characters (newlines, tabs, NUL), which no published command
 * line should carry and which make messages ambiguous.
 */
export const userPath = z
  .string()
  .min(1)
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'a path without control characters (newline, tab, NUL)');

/** Cloud resource names passed to `curtain start`/`fetch` (each provider's naming rules, conservatively). */
export const CLOUD_NAMES = {
  /** Google Cloud project id: 6–30 lowercase letters, digits, hyphens; starts with a letter. */
  gcpProject: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'expected a Google Cloud project id such as my-project-123'),
  /** Azure resource group: letters, digits, _ - . ( ); not ending in a period. */
  resourceGroup: z.string().regex(/^[-\w.()]{0,89}[-\w()]$/, 'expected an Azure resource group name'),
  /** Azure storage account: 3–24 lowercase letters and digits. */
  storageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, 'expected an Azure storage account name (3-24 lowercase letters and digits)'),
  /** S3 / GCS bucket or Azure container. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'expected a bucket or container name (lowercase letters, digits, . _ -)'),
  /** CloudFormation stack, Workflows workflow or Function App name. */
  stack: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,127}$/, 'expected a stack or deployment name (letters, digits, - and _)'),
  /** Cloudflare account id: 32 hexadecimal digits. */
  cloudflareAccount: z.string().regex(/^[0-9a-f]{32}$/, 'expected a Cloudflare account id (32 hexadecimal digits)'),
  /** AWS account id. */
  awsAccount: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  /** Azure subscription id (a GUID). */
  azureSubscription: z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'expected an Azure subscription id (a GUID)'),
} as const;
