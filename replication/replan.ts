/**
 * `curtain replan`, as a function: from a replication package, a run
 * directory or a plan.json, recompile the plan with this version of Curtain,
 * say whether it is the same plan (hash) and which fields differ, whether this
 * checkout builds the run's bundles, and build the commands that rerun the
 * same study on the same target with every option the run recorded.
 */
import { closeSync, existsSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../experiments/canonical-json';
import { CATALOG } from '../experiments/catalog';
import { planStudy } from '../experiments/plan';
import { StudyPlan } from '../experiments/plan-schema';
import { parseSets, resolveDefinitionFile, resolveStudy } from '../experiments/resolve-study';
import type { StudyDefinition } from '../experiments/schema';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import type { BundleName } from '../probe-runtime/contracts/bundle-manifest';
import { CloudDeployOptions, LocalRunOptions, RunManifest } from '../probe-runtime/contracts/run-manifest';
import { readTarGz } from './archive/tar-gz-reader';
import { recordedBundles } from './bundle-check';
import { formatPackageProblem } from './package-check';
import { PACKAGE_DIRS, PACKAGE_MANIFEST, PackageManifest } from './package-manifest';
import { planContentHash } from '../experiments/plan-integrity';
import { MAX_JSON_BYTES, parseJsonBytes, readJsonFile } from './read-json';
import { rerunCommands, type RerunCommands, type RerunRequest, type SuppliedValues } from './rerun';
import { PackageError, unpackPackage, verifyPackage } from './verify';

export interface ReplanOptions {
  /** A package (.tar.gz), a run directory, or a plan.json. */
  input: string;
  cwd: string;
  /** The definition file of a user-written study (when the input does not carry it). */
  definition?: string;
  /** Where a package is unpacked (default: ./<package name>/); reused when it holds the same package. */
  into?: string;
  /** Results root of the rerun. */
  out?: string;
  supplied?: SuppliedValues;
  /** Compare the run's bundles with this checkout's (builds dist/runtime when stale). Default true. */
  compareBundles?: boolean;
  log?: (line: string) => void;
}

export interface BundleComparison {
  bundle: BundleName;
  run: string | null;
  here: string | null;
  /** null when the run did not record this bundle's hash. */
  same: boolean | null;
}

export interface ReplanResult {
  kind: 'package' | 'run' | 'plan';
  /** The run directory (null for a bare plan.json). */
  runDir: string | null;
  /** Where the package was unpacked. */
  packageDir: string | null;
  plan: StudyPlan;
  manifest: RunManifest | null;
  /** The hash plan.json records, and what its content hashes to (they differ when it was edited). */
  hash: string;
  contentHash: string;
  intact: boolean;
  rebuiltHash: string;
  /** Top-level plan fields whose content differs from this version's plan. */
  differences: string[];
  reproduced: boolean;
  /** Where the recompiled plan came from, in words. */
  from: string;
  bundles: BundleComparison[];
  rerun: RerunCommands;
}

export class ReplanError extends Error {
  override name = 'ReplanError';
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.equals(GZIP_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** The manifest of a package file (its first entry), without reading the rest. */
export async function readPackageManifest(file: string): Promise<PackageManifest> {
  for await (const entry of readTarGz(file)) {
    if (entry.type === 'directory') continue;
    if (entry.relative !== PACKAGE_MANIFEST) break;
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of entry.content()) {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) throw new PackageError(`${file}: ${PACKAGE_MANIFEST} is too large`);
      parts.push(chunk);
    }
    return parseJsonBytes(`${file}: ${PACKAGE_MANIFEST}`, Buffer.concat(parts), PackageManifest, 'package manifest');
  }
  throw new PackageError(`${file}: the first file of a package is ${PACKAGE_MANIFEST}`);
}

/** Unpacks (or reuses an earlier unpacking of) a package, verified either way. */
async function openPackage(file: string, options: ReplanOptions): Promise<{ dir: string; manifest: PackageManifest }> {
  const base = path.basename(file).replace(/(\.curtain)?\.(tar\.gz|tgz)$/, '');
  const dir = path.resolve(options.cwd, options.into ?? base);
  const manifest = await readPackageManifest(file);
  if (existsSync(dir)) {
    const checked = await verifyPackage(dir);
    if (!checked.ok || canonicalJson(checked.manifest) !== canonicalJson(manifest)) {
      throw new PackageError(`${dir} exists and is not this package unpacked${checked.ok ? '' : ` (${checked.problems.slice(0, 3).map(formatPackageProblem).join('; ')})`}: choose another --into`);
    }
    options.log?.(`curtain replan: ${dir} holds this package already (verified)`);
    return { dir, manifest };
  }
  const result = await unpackPackage(file, dir);
  if (!result.ok) throw new PackageError(`${file} does not verify, so it was not unpacked:\n${result.problems.map((p) => `  ${formatPackageProblem(p)}`).join('\n')}`);
  options.log?.(`curtain replan: unpacked and verified ${result.files + 1} files into ${dir}`);
  return { dir, manifest };
}

interface StudySource {
  definition: StudyDefinition;
  from: string;
  study: RerunRequest['study'];
}

function studySource(plan: StudyPlan, manifest: RunManifest | null, options: ReplanOptions, packaged: { dir: string; manifest: PackageManifest } | null): StudySource {
  const recorded = manifest?.origin?.options;
  const recordedSets = recorded?.study.kind === 'file' ? recorded.set : [];
  if (options.definition !== undefined) {
    const file = path.resolve(options.cwd, options.definition);
    return { definition: resolveDefinitionFile(file, parseSets(recordedSets)).definition, from: file, study: { kind: 'file', path: file, set: recordedSets } };
  }
  if (packaged?.manifest.definition.kind === 'file' && packaged.manifest.definition.resolved) {
    // The resolved definition: the run's --set pairs are already applied, and it needs no helper files.
    const file = path.join(packaged.dir, packaged.manifest.definition.resolved);
    return { definition: resolveDefinitionFile(file).definition, from: `${file} (the package's resolved definition)`, study: { kind: 'file', path: file, set: [] } };
  }
  if (recorded?.study.kind === 'file' && existsSync(recorded.study.path)) {
    const file = recorded.study.path;
    return { definition: resolveDefinitionFile(file, parseSets(recordedSets)).definition, from: file, study: { kind: 'file', path: file, set: recordedSets } };
  }
  if (!CATALOG.some((s) => s.id === plan.study.id)) {
    throw new ReplanError(`${plan.study.id} is not a catalog study of this version; pass --definition FILE with the definition it was planned from`);
  }
  return { definition: resolveStudy(plan.study.id, plan.parameters).definition, from: `catalog study ${plan.study.id}`, study: { kind: 'catalog' } };
}

async function compareBundles(manifest: RunManifest, provider: StudyPlan['provider']): Promise<BundleComparison[]> {
  const built = await ensureRuntimeBuilt();
  return recordedBundles(manifest, provider).map(([bundle, run]) => {
    const here = built.bundles[bundle]?.sha256 ?? null;
    return { bundle, run, here, same: run === null ? null : run === here };
  });
}

export async function replanRun(options: ReplanOptions): Promise<ReplanResult> {
  const input = path.resolve(options.cwd, options.input);
  const info = lstatSync(input, { throwIfNoEntry: false });
  if (!info) throw new ReplanError(`${options.input}: no such file or directory (expected a package, a run directory or a plan.json)`);
  let kind: ReplanResult['kind'];
  let runDir: string | null = null;
  let packaged: { dir: string; manifest: PackageManifest } | null = null;
  let planFile: string;
  if (info.isDirectory()) {
    kind = 'run';
    runDir = input;
    planFile = path.join(input, 'plan.json');
  } else if (info.isFile() && isGzip(input)) {
    kind = 'package';
    packaged = await openPackage(input, options);
    runDir = path.join(packaged.dir, PACKAGE_DIRS.run);
    planFile = path.join(runDir, 'plan.json');
  } else {
    kind = 'plan';
    planFile = input;
  }
  const plan = readJsonFile(planFile, StudyPlan, 'plan');
  const runFile = path.join(path.dirname(planFile), 'run.json');
  const manifest = existsSync(runFile) ? readJsonFile(runFile, RunManifest, 'run manifest') : null;
  // A plan.json beside its run.json and steps/ is a run directory: compare it as one.
  if (kind === 'plan' && manifest && existsSync(path.join(path.dirname(planFile), 'steps'))) runDir = path.dirname(planFile);

  const source = studySource(plan, manifest, options, packaged);
  const rebuilt = planStudy(source.definition, {
    provider: plan.provider,
    region: plan.region,
    hosting: plan.hosting,
    budget: { maxUsd: plan.budget.maxUsd, maxInvocations: plan.budget.maxInvocations },
  });
  const keys = Object.keys(plan).filter((k) => k !== 'hash') as (keyof StudyPlan)[];
  const differences = keys.filter((k) => canonicalJson(plan[k]) !== canonicalJson(rebuilt[k]));
  const content = planContentHash(plan);
  const intact = content === plan.hash;
  const reproduced = intact && rebuilt.hash === plan.hash && differences.length === 0;
  const bundles = manifest && options.compareBundles !== false ? await compareBundles(manifest, plan.provider) : [];

  const origin = manifest?.origin?.options;
  const local = origin && origin.target === 'local' ? LocalRunOptions.parse(origin) : null;
  const deploy = origin && origin.target !== 'local' ? CloudDeployOptions.parse(origin) : null;
  const rerun = rerunCommands({
    plan,
    study: source.study,
    local,
    deploy,
    bundleRoot: packaged ? path.join(packaged.dir, PACKAGE_DIRS.runtime) : null,
    supplied: options.supplied ?? {},
    out: options.out,
  });
  return { kind, runDir, packageDir: packaged?.dir ?? null, plan, manifest, hash: plan.hash, contentHash: content, intact, rebuiltHash: rebuilt.hash, differences, reproduced, from: source.from, bundles, rerun };
}
