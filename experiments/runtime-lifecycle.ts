/**
 * The runtime versions each provider offers per hosting plan, with the dates
 * its support ends: deprecation (no more patches), block-create (no new
 * functions) and block-update (no configuration changes, which every study
 * with update steps makes while it runs). Sources and the date they were read
 * are next to each entry; the AWS dates are also checked against cfn-lint's
 * copy of AWS's table by the conformance suite.
 *
 * A study chooses a version per language (`functions.runtimeVersions`,
 * default: the newest GA version the hosting plan offers). The planner refuses
 * a version the plan does not offer; `runtimeLifecycleFindings` says, for a run
 * starting at a given time, which dates fall inside it: `curtain plan` warns,
 * and the stacks refuse to synthesize a run that would hit a block date.
 */
import type { ProviderId, Runtime } from './schema';

export interface RuntimeRelease {
  runtime: Runtime;
  /** Language version as a study names it: '22', '24', '3.12', '3.13'. */
  version: string;
  /** The provider's identifier of the runtime, as deployed. */
  id: string;
  status: 'ga' | 'preview';
  /** ISO dates (UTC); null where the provider has published none. */
  deprecated: string | null;
  blockCreate: string | null;
  blockUpdate: string | null;
  source: { title: string; url: string };
  note?: string;
}

export const RUNTIME_LIFECYCLE_CHECKED = '2026-12-06';

const LAMBDA = { title: 'Lambda runtimes: deprecation schedule', url: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html' };
const GCF = { title: 'Cloud Run functions runtimes: support schedule', url: 'https://cloud.google.com/functions/docs/runtime-support' };
const AZURE = { title: 'Azure Functions language runtime support policy', url: 'https://learn.microsoft.com/azure/azure-functions/language-support-policy' };
const AZURE_LINUX_CONSUMPTION = 'Linux Consumption retires on 2028-09-30 and gets no new language versions (Azure Functions runtime versions, learn.microsoft.com/azure/azure-functions/functions-versions); after its end of support Azure still lets a version be created and deployed';

const CF_COMPAT = { title: 'Workers compatibility dates', url: 'https://developers.cloudflare.com/workers/configuration/compatibility-dates/' };
const CF_PYTHON = { title: 'Python Workers', url: 'https://developers.cloudflare.com/workers/languages/python/' };

const release = (r: RuntimeRelease): RuntimeRelease => r;

/** Provider → hosting plan → the versions it offers (and the dates that end them). */
export const RUNTIME_LIFECYCLE: Record<ProviderId, Record<string, RuntimeRelease[]>> = {
  aws: {
    lambda: [
      release({ runtime: 'nodejs', version: '22', id: 'nodejs22.x', status: 'ga', deprecated: '2027-04-30', blockCreate: '2027-06-01', blockUpdate: '2027-07-01', source: LAMBDA }),
      release({ runtime: 'nodejs', version: '24', id: 'nodejs24.x', status: 'ga', deprecated: '2028-04-30', blockCreate: '2028-06-01', blockUpdate: '2028-07-01', source: LAMBDA }),
      release({ runtime: 'python', version: '3.12', id: 'python3.12', status: 'ga', deprecated: '2028-10-31', blockCreate: '2028-11-30', blockUpdate: '2029-01-10', source: LAMBDA }),
      release({ runtime: 'python', version: '3.13', id: 'python3.13', status: 'ga', deprecated: '2029-06-30', blockCreate: '2029-07-31', blockUpdate: '2029-08-31', source: LAMBDA }),
    ],
  },
  gcp: {
    // After decommission Google refuses both new functions and updates of existing ones.
    gen2: [
      release({ runtime: 'nodejs', version: '22', id: 'nodejs22', status: 'ga', deprecated: '2027-04-30', blockCreate: '2027-10-31', blockUpdate: '2027-10-31', source: GCF }),
      release({ runtime: 'nodejs', version: '24', id: 'nodejs24', status: 'ga', deprecated: '2028-04-30', blockCreate: '2028-10-31', blockUpdate: '2028-10-31', source: GCF }),
      release({
        runtime: 'python',
        version: '3.12',
        id: 'python312',
        status: 'ga',
        deprecated: null,
        blockCreate: null,
        blockUpdate: null,
        source: GCF,
        note: 'the Python rows of the schedule were not readable in the copy checked on 2026-12-06; Google deprecates at the community end of life (2028-10)',
      }),
      release({
        runtime: 'python',
        version: '3.13',
        id: 'python313',
        status: 'ga',
        deprecated: null,
        blockCreate: null,
        blockUpdate: null,
        source: GCF,
        note: 'the Python rows of the schedule were not readable in the copy checked on 2026-12-06; Google deprecates at the community end of life (2029-10)',
      }),
    ],
  },
  azure: {
    consumption: [
      release({ runtime: 'nodejs', version: '22', id: 'node|22', status: 'ga', deprecated: '2027-04-30', blockCreate: '2028-09-30', blockUpdate: '2028-09-30', source: AZURE, note: `the last Node.js version on Linux Consumption (the pinned azurerm 4.55.0 accepts node_version up to 22); ${AZURE_LINUX_CONSUMPTION}` }),
      release({ runtime: 'python', version: '3.12', id: 'python|3.12', status: 'ga', deprecated: '2028-10-31', blockCreate: '2028-09-30', blockUpdate: '2028-09-30', source: AZURE, note: AZURE_LINUX_CONSUMPTION }),
    ],
    flex: [
      release({ runtime: 'nodejs', version: '22', id: 'node|22', status: 'ga', deprecated: '2027-04-30', blockCreate: null, blockUpdate: null, source: AZURE, note: 'after the end of support Azure still creates and deploys the version (language support policy)' }),
      release({ runtime: 'nodejs', version: '24', id: 'node|24', status: 'preview', deprecated: '2028-04-30', blockCreate: null, blockUpdate: null, source: AZURE, note: 'preview on Azure Functions when checked: not offered until GA' }),
      release({ runtime: 'python', version: '3.12', id: 'python|3.12', status: 'ga', deprecated: '2028-10-31', blockCreate: null, blockUpdate: null, source: AZURE }),
      release({ runtime: 'python', version: '3.13', id: 'python|3.13', status: 'ga', deprecated: '2029-10-31', blockCreate: null, blockUpdate: null, source: AZURE }),
    ],
  },
  cloudflare: {
    // Workers have no language versions: a script pins a compatibility date, which workerd honours
    // for ever (Cloudflare: "compatibility dates never expire"). The date is the version here.
    workers: [
      release({
        runtime: 'nodejs',
        version: '2026-07-30',
        id: '2026-07-30',
        status: 'ga',
        deprecated: null,
        blockCreate: null,
        blockUpdate: null,
        source: CF_COMPAT,
        note: 'the compatibility date of the workerd release miniflare 4.20260730.0 ships, so the local run and the deployment run one behaviour; nodejs_compat flag',
      }),
      release({ runtime: 'python', version: 'beta', id: 'python_workers', status: 'preview', deprecated: null, blockCreate: null, blockUpdate: null, source: CF_PYTHON, note: 'Python Workers (Pyodide) are a beta; the Curtain Python probe reads /proc, which isolates do not have' }),
    ],
  },
  local: {
    // The local platform runs the machine's own node and python3; nothing expires.
    emulated: [
      release({ runtime: 'nodejs', version: 'local', id: 'node', status: 'ga', deprecated: null, blockCreate: null, blockUpdate: null, source: { title: 'docs/local-platform.md', url: 'docs/local-platform.md' } }),
      release({ runtime: 'python', version: 'local', id: 'python3', status: 'ga', deprecated: null, blockCreate: null, blockUpdate: null, source: { title: 'docs/local-platform.md', url: 'docs/local-platform.md' } }),
    ],
  },
};

/** The GA versions of a language a hosting plan offers, oldest first. */
export function offeredReleases(provider: ProviderId, hosting: string, runtime: Runtime): RuntimeRelease[] {
  return (RUNTIME_LIFECYCLE[provider][hosting] ?? []).filter((r) => r.runtime === runtime && r.status === 'ga');
}

/** The release a study gets: the version it asks for, else the newest GA one; null when not offered. */
export function chooseRelease(provider: ProviderId, hosting: string, runtime: Runtime, version?: string): RuntimeRelease | null {
  const offered = offeredReleases(provider, hosting, runtime);
  if (version === undefined) return offered[offered.length - 1] ?? null;
  return offered.find((r) => r.version === version) ?? null;
}

export function releaseById(provider: ProviderId, hosting: string, id: string): RuntimeRelease | undefined {
  return (RUNTIME_LIFECYCLE[provider][hosting] ?? []).find((r) => r.id === id);
}

export interface LifecycleFindings {
  /** Dates inside the run that do not stop it (deprecation). */
  warnings: string[];
  /** Dates that stop the deployment or the run (block-create at deploy time, block-update before the run ends). */
  refusals: string[];
}

/** What a plan's runtimes meet between `start` (deploy and run) and the run's expected end. */
export function runtimeLifecycleFindings(
  plan: { provider: ProviderId; hosting: string; functions: { runtimeVersion: string }[]; steps: { kind: string }[]; duration: { estimatedSeconds: number } },
  start: Date,
): LifecycleFindings {
  const end = new Date(start.getTime() + plan.duration.estimatedSeconds * 1000);
  const updates = plan.steps.some((s) => s.kind === 'update');
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const warnings: string[] = [];
  const refusals: string[] = [];
  for (const id of [...new Set(plan.functions.map((f) => f.runtimeVersion))].sort()) {
    const r = releaseById(plan.provider, plan.hosting, id);
    if (!r) continue;
    const newer = offeredReleases(plan.provider, plan.hosting, r.runtime).filter((o) => o.version !== r.version).map((o) => o.version);
    const change = newer.length > 0 ? `; choose functions.runtimeVersions.${r.runtime} = ${newer.map((v) => `"${v}"`).join(' or ')}` : '';
    const cite = `(${r.source.title}, ${r.source.url}, checked ${RUNTIME_LIFECYCLE_CHECKED})`;
    if (r.blockCreate && day(start) >= r.blockCreate) {
      refusals.push(`${id}: ${plan.provider} refuses new functions on this runtime from ${r.blockCreate} ${cite}${change}`);
    } else if (updates && r.blockUpdate && day(end) >= r.blockUpdate) {
      refusals.push(`${id}: the run would end on ${day(end)}, after ${r.blockUpdate}, from when ${plan.provider} refuses configuration updates on this runtime, which this study's update steps make ${cite}${change}`);
    } else if (r.blockCreate && day(end) >= r.blockCreate) {
      warnings.push(`${id}: ${plan.provider} refuses new functions on this runtime from ${r.blockCreate}, before this run ends (${day(end)}): redeploying it then fails ${cite}${change}`);
    }
    if (r.deprecated && day(end) >= r.deprecated) warnings.push(`${id}: deprecated on ${r.deprecated} (no more security patches) ${cite}${change}`);
  }
  return { warnings, refusals };
}

/** The date runs are planned from: now, or CURTAIN_NOW (an ISO date) to ask "what if I deploy then". */
export function planningDate(env: NodeJS.ProcessEnv = process.env): Date {
  const given = env.CURTAIN_NOW;
  if (given === undefined || given === '') return new Date();
  const date = new Date(given);
  if (Number.isNaN(date.getTime())) throw new Error(`CURTAIN_NOW: "${given}" is not a date (expected e.g. 2027-05-01 or 2027-05-01T12:00:00Z)`);
  return date;
}
