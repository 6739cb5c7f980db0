/**
 * `curtain-package.json`, the first entry of a replication package: what the
 * package holds and the sha256 of every other file in it. `curtain verify`
 * checks the files against it and the plan, definition and bundles against
 * each other.
 *
 * Layout below the package's top directory `<study>-<run>/`:
 *   curtain-package.json         this manifest
 *   run/                         the run directory: plan.json, run.json, steps/…, report/…
 *   ground-truth.json            local runs: what the platform really did (tests read it)
 *   definition/definition.json   the resolved study definition (its hash is plan.study.definitionHash)
 *   definition/<file>            a user-written definition file as it was
 *   runtime/dist/runtime/…       the exact bundles and their manifest (`curtain run --bundles runtime`,
 *                                `cdk -c bundleRoot=runtime`, CURTAIN_BUNDLE_ROOT=runtime)
 *   deploy/<file>                synthesized CloudFormation templates / Terraform JSON of cloud runs
 *   source/package-lock.json     the lockfile the run's code used (its sha256 is in run.json's origin)
 */
import { z } from 'zod';
import { ProviderId } from '../experiments/schema';
import { BUNDLE_NAMES } from '../probe-runtime/contracts/bundle-manifest';
import { RunOrigin, RunStatus, SourceIdentity } from '../probe-runtime/contracts/run-manifest';

export const PACKAGE_FORMAT = 'curtain-replication-package';
export const PACKAGE_MANIFEST = 'curtain-package.json';
export const PACKAGE_DIRS = {
  run: 'run',
  groundTruth: 'ground-truth.json',
  definition: 'definition',
  runtime: 'runtime',
  deploy: 'deploy',
  source: 'source',
} as const;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const PackagedFile = z.strictObject({
  /** Below the package's top directory, forward slashes. */
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256,
});
export type PackagedFile = z.output<typeof PackagedFile>;

export const PackageManifest = z.strictObject({
  format: z.literal(PACKAGE_FORMAT),
  v: z.literal(1),
  createdAt: z.iso.datetime(),
  /** The Curtain that wrote the package (the run's own code is in `origin`). */
  packedBy: SourceIdentity,
  study: z.string(),
  run: z.string(),
  provider: ProviderId,
  region: z.string(),
  hosting: z.string(),
  planHash: sha256,
  status: RunStatus,
  definition: z.strictObject({
    kind: z.enum(['catalog', 'file']),
    /** The catalog id (parameters are in plan.json), or the file's name as written by its author. */
    name: z.string(),
    /** The user's file in the package, for kind `file`. */
    file: z.string().nullable(),
    /** definition/definition.json when this version could reproduce the plan's definition hash, else null. */
    resolved: z.string().nullable(),
    definitionHash: sha256,
  }),
  /** run.json's origin: the code, lockfile, runtimes and every option; null for runs that did not record it. */
  origin: RunOrigin.nullable(),
  bundles: z.array(
    z.strictObject({
      bundle: z.enum(BUNDLE_NAMES),
      /** What run.json recorded for it (null: not recorded, or not a bundle the run's provider uses). */
      recorded: sha256.nullable(),
      packaged: sha256,
    }),
  ),
  templates: z.array(z.strictObject({ path: z.string(), source: z.string(), matchesPlan: z.boolean() })),
  notes: z.array(z.string()),
  files: z.array(PackagedFile),
});
export type PackageManifest = z.output<typeof PackageManifest>;
