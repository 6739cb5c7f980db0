/**
 * The dated price table the cost model reads. List prices in USD for the
 * default region of each provider, free tiers ignored (so estimates err high).
 *
 * These are the published on-demand list prices as the authors knew them when
 * the table was compiled (`asOf`); they change. Check the sources before
 * relying on an estimate for money that matters, and update the table (and the
 * hand computations in test/experiments/cost.test.ts) when they do.
 */
import { currentDurationBilling } from './billed-duration';
import type { ProviderId } from './schema';

export interface PriceTable {
  id: string;
  asOf: string;
  region: string;
  sources: string[];
  /** Per GB-second of function memory (compute, x86 unless noted). */
  computeGbSecond: number;
  /** Per GB-second on arm64, where cheaper. */
  computeGbSecondArm?: number;
  /** Per vCPU-second where CPU is billed separately (Google). */
  computeVcpuSecond?: number;
  /** Per invocation (request or execution). */
  request: number;
  /** Orchestrator: per state transition (Step Functions), step (Workflows) or orchestration execution (Durable). */
  orchestratorUnit: number;
  /** Object store: per write (PUT / class A / write operation) and per read. */
  storageWrite: number;
  storageRead: number;
  /** Object store: per GB-month, pro-rated for one month of keeping the results. */
  storageGbMonth: number;
  /** Log ingestion per GB. */
  logsGb: number;
  /** Billing increment of function duration, ms: the capability table's current rule (experiments/billed-duration.ts). */
  billingIncrementMs: number;
}

const perMillion = (usd: number) => usd / 1_000_000;
const perThousand = (usd: number) => usd / 1000;

export const PRICE_TABLES: Record<ProviderId, PriceTable> = {
  aws: {
    id: 'aws-us-east-1-2026-11',
    asOf: '2026-11',
    region: 'us-east-1',
    sources: [
      'https://aws.amazon.com/lambda/pricing/',
      'https://aws.amazon.com/step-functions/pricing/',
      'https://aws.amazon.com/s3/pricing/',
      'https://aws.amazon.com/cloudwatch/pricing/',
    ],
    computeGbSecond: 0.0000166667,
    computeGbSecondArm: 0.0000133334,
    request: perMillion(0.2),
    orchestratorUnit: perThousand(0.025), // Standard workflows, per state transition
    storageWrite: perThousand(0.005),
    storageRead: perThousand(0.0004),
    storageGbMonth: 0.023,
    logsGb: 0.5,
    billingIncrementMs: currentDurationBilling('aws').incrementMs,
  },
  gcp: {
    id: 'gcp-us-central1-2026-11',
    asOf: '2026-11',
    region: 'us-central1',
    sources: [
      'https://cloud.google.com/run/pricing',
      'https://cloud.google.com/workflows/pricing',
      'https://cloud.google.com/storage/pricing',
      'https://cloud.google.com/stackdriver/pricing',
    ],
    computeGbSecond: 0.0000025, // per GiB-second, Tier 1, request-based billing
    computeVcpuSecond: 0.000024,
    request: perMillion(0.4),
    orchestratorUnit: perThousand(0.01), // internal steps
    storageWrite: perThousand(0.005), // class A
    storageRead: perThousand(0.0004), // class B
    storageGbMonth: 0.02,
    logsGb: 0.5,
    billingIncrementMs: currentDurationBilling('gcp').incrementMs,
  },
  azure: {
    id: 'azure-eastus-2026-11',
    asOf: '2026-11',
    region: 'eastus',
    sources: [
      'https://azure.microsoft.com/pricing/details/functions/',
      'https://azure.microsoft.com/pricing/details/storage/blobs/',
      'https://azure.microsoft.com/pricing/details/monitor/',
    ],
    computeGbSecond: 0.000016, // Consumption; Flex on-demand is 0.000026 (see hostingOverrides)
    request: perMillion(0.2),
    orchestratorUnit: perMillion(0.2), // Durable orchestrations bill as function executions
    storageWrite: 0.065 / 10_000, // hot LRS write operations
    storageRead: 0.005 / 10_000,
    storageGbMonth: 0.0208,
    logsGb: 2.3, // Application Insights / Log Analytics ingestion
    billingIncrementMs: currentDurationBilling('azure').incrementMs,
  },
  cloudflare: {
    id: 'cloudflare-workers-standard-2026-12',
    asOf: '2026-12',
    region: 'global',
    sources: [
      'https://developers.cloudflare.com/workers/platform/pricing/',
      'https://developers.cloudflare.com/workflows/reference/pricing/',
      'https://developers.cloudflare.com/r2/pricing/',
    ],
    // Workers bill CPU time, $0.02 per million CPU-ms, not memory-time. At the fixed 128 MB
    // (0.125 GB) that is $0.16 per GB-second of CPU; the cost model multiplies it by wall-clock
    // duration, which is at least the CPU time, so estimates err high (sleeps bill no CPU).
    computeGbSecond: perMillion(0.02) * 1000 / 0.125,
    request: perMillion(0.3),
    // Workflows bill as Workers (requests, CPU); counted per step as a request, which errs high.
    orchestratorUnit: perMillion(0.3),
    storageWrite: perMillion(4.5), // R2 Class A
    storageRead: perMillion(0.36), // R2 Class B
    storageGbMonth: 0.015,
    // Workers Logs are off in the stack (observability disabled): nothing is ingested.
    logsGb: 0,
    billingIncrementMs: 1,
  },
  local: {
    id: 'local-free',
    asOf: '2026-11',
    region: 'local',
    sources: ['the local platform runs on this machine and costs nothing'],
    computeGbSecond: 0,
    request: 0,
    orchestratorUnit: 0,
    storageWrite: 0,
    storageRead: 0,
    storageGbMonth: 0,
    logsGb: 0,
    billingIncrementMs: currentDurationBilling('local').incrementMs,
  },
};

/** Hosting plans whose prices differ from the provider's default row. */
export const HOSTING_PRICE_OVERRIDES: Record<string, Partial<PriceTable>> = {
  'azure:flex': { computeGbSecond: 0.000026, request: perMillion(0.4) },
};

export function priceTableFor(provider: ProviderId, hosting: string): PriceTable {
  const base = PRICE_TABLES[provider];
  const override = HOSTING_PRICE_OVERRIDES[`${provider}:${hosting}`];
  return override ? { ...base, ...override, id: `${base.id}-${hosting}` } : base;
}
