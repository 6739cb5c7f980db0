/**
 * `curtain pack`: one replication package (a .tar.gz) from a run directory,
 * holding everything a reviewer needs to verify, rerun and compare the run
 * without asking anyone (layout: package-manifest.ts).
 *
 * Refusals, each naming what is wrong: a run still `running`; a plan.json that
 * no longer matches its hash, or a run.json naming another plan; a file in the
 * run that is not a regular file (a link could pull in anything); a definition
 * that does not give the plan's definition hash; bundles other than the ones
 * run.json recorded. Nothing is written until all of that has passed, and the
 * archive appears under its name only when complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../experiments/canonical-json';
import { CATALOG } from '../experiments/catalog';
import { InputFileError } from '../experiments/errors';
import { StudyPlan } from '../experiments/plan-schema';
import { buildCatalogStudy, parseSets, resolveDefinitionFile } from '../experiments/resolve-study';
import type { StudyDefinition } from '../experiments/schema';
import { REPO_ROOT } from '../probe-runtime/build/build-runtime';
import { listFiles } from '../probe-runtime/build/hash-dir';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { lockfileSha256, sourceIdentity } from '../probe-runtime/build/source-identity';
import { RunManifest } from '../probe-runtime/contracts/run-manifest';
import { TarGzWriter } from './archive/tar-gz-writer';
import { checkBundleRoot, recordedBundles } from './bundle-check';
import { PACKAGE_DIRS, PACKAGE_FORMAT, PACKAGE_MANIFEST, PackageManifest, type PackagedFile } from './package-manifest';
import { planContentHash } from '../experiments/plan-integrity';
import { readJsonFile } from './read-json';
import { TARGETS } from '../targets/registry';

export interface PackOptions {
  runDir: string;
  /** The archive to write (default `<cwd>/<study>-<run>.curtain.tar.gz`); never overwritten. */
  out?: string;
  /** The definition file of a user-written study, when run.json does not name one that is still there. */
  definition?: string;
  /** A directory holding dist/runtime with the run's bundles (default: what run.json names, else this checkout's). */
  bundles?: string;
  /** Synthesized templates / Terraform JSON to include (cloud runs); the checkout's cdk.out / cdktf.out are searched too. */
  templates?: string[];
  cwd: string;
  log?: (line: string) => void;
  now?: Date;
}

export interface PackResult {
  file: string;
  /** Size of the archive, bytes. */
  bytes: number;
  /** sha256 of the archive: publish it beside the package. */
  sha256: string;
  manifest: PackageManifest;
}

export class PackError extends Error {
  override name = 'PackError';
}

interface Source {
  /** Path in the package below the top directory. */
  path: string;
  file: string;
}

export async function packRun(options: PackOptions): Promise<PackResult> {
  const log = options.log ?? (() => undefined);
  const runDir = path.resolve(options.cwd, options.runDir);
  if (!lstatSync(runDir, { throwIfNoEntry: false })?.isDirectory()) throw new InputFileError(options.runDir, 'not a run directory (expected <study>/<run>/ with plan.json and run.json)');
  const plan = readJsonFile(path.join(runDir, 'plan.json'), StudyPlan, 'plan');
  const run = readJsonFile(path.join(runDir, 'run.json'), RunManifest, 'run manifest');
  if (run.status === 'running') throw new PackError(`${path.join(runDir, 'run.json')} says the run is still running: pack it when it has ended (or has been closed)`);
  const content = planContentHash(plan);
  if (content !== plan.hash) throw new PackError(`${path.join(runDir, 'plan.json')} was edited after it was planned: its content hashes to ${content}, not its recorded ${plan.hash}`);
  if (run.planHash !== plan.hash) throw new PackError(`${path.join(runDir, 'run.json')} names plan ${run.planHash}, but plan.json is ${plan.hash}`);
  const notes: string[] = [];
  const sources: Source[] = walkRun(runDir).map((relative) => ({ path: `${PACKAGE_DIRS.run}/${relative}`, file: path.join(runDir, relative) }));

  const groundTruth = path.join(runDir, '..', '..', '.ground-truth', plan.study.id, `${run.run}.json`);
  // Only an emulated platform knows the ground truth of a run.
  if (TARGETS[plan.provider].deployment.kind === 'embedded' && lstatSync(groundTruth, { throwIfNoEntry: false })?.isFile()) sources.push({ path: PACKAGE_DIRS.groundTruth, file: groundTruth });

  const definition = packagedDefinition(plan, run, options);
  notes.push(...definition.notes);
  if (definition.file) sources.push({ path: `${PACKAGE_DIRS.definition}/${path.basename(definition.file)}`, file: definition.file });
  const resolvedBytes = definition.resolved ? Buffer.from(`${JSON.stringify(definition.resolved, null, 2)}\n`) : null;
  const resolvedPath = `${PACKAGE_DIRS.definition}/definition.json`;

  const bundleRoot = await bundleRootFor(run, plan, options);
  const { manifest: bundleManifest, differences } = checkBundleRoot(bundleRoot, run, plan.provider);
  if (differences.length > 0) {
    throw new PackError(
      `the bundles in ${path.join(bundleRoot, 'dist/runtime')} are not the ones the run used: ` +
        differences.map((d) => `${d.bundle}: ${d.source} says ${d.expected.slice(0, 12)}…, the directory has ${d.actual?.slice(0, 12) ?? 'nothing'}…`).join('; ') +
        '; pass --bundles DIR with the run\'s bundles (a directory holding dist/runtime)',
    );
  }
  for (const entry of Object.values(bundleManifest.bundles)) {
    // The files the bundle hash covers (hash-dir.ts), so the packaged bundle has the recorded hash.
    for (const file of listFiles(path.join(bundleRoot, entry.dir))) sources.push({ path: `${PACKAGE_DIRS.runtime}/${entry.dir}/${file}`, file: path.join(bundleRoot, entry.dir, file) });
  }
  sources.push({ path: `${PACKAGE_DIRS.runtime}/dist/runtime/manifest.json`, file: path.join(bundleRoot, 'dist/runtime/manifest.json') });
  const recorded = new Map(recordedBundles(run, plan.provider));
  const bundles = Object.entries(bundleManifest.bundles).map(([bundle, entry]) => ({
    bundle: bundle as keyof typeof bundleManifest.bundles,
    recorded: recorded.get(bundle as never) ?? null,
    packaged: entry.sha256,
  }));

  const templates = findTemplates(plan, options);
  for (const t of templates) {
    sources.push({ path: t.path, file: t.source });
    if (!t.matchesPlan) notes.push(`${t.path} (from ${t.source}) does not mention the plan hash: it may belong to another synthesis`);
  }
  if (TARGETS[plan.provider].deployment.kind !== 'embedded' && templates.length === 0) {
    notes.push('no synthesized template was found (cdk.out / cdktf.out of the current directory, or --template FILE): the package has the plan and bundles, from which `cdk synth` / `cdktf synth` rebuild it');
  }

  const origin = run.origin ?? null;
  if (!origin) notes.push('run.json does not record its origin (code, lockfile, runtimes, options): it was written by an older Curtain');
  const lockfile = path.join(REPO_ROOT, 'package-lock.json');
  if (origin?.lockfileSha256 && origin.lockfileSha256 === lockfileSha256()) sources.push({ path: `${PACKAGE_DIRS.source}/package-lock.json`, file: lockfile });
  else if (origin?.lockfileSha256) notes.push('this checkout\'s package-lock.json is not the one the run used: only its hash is recorded (run/run.json, origin.lockfileSha256)');

  log(`curtain pack: hashing ${sources.length} files`);
  const files: PackagedFile[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    if (seen.has(source.path)) throw new PackError(`two files would be packaged as ${source.path}`);
    seen.add(source.path);
    files.push({ path: source.path, ...(await hashFile(source.file)) });
  }
  if (resolvedBytes) files.push({ path: resolvedPath, bytes: resolvedBytes.length, sha256: createHash('sha256').update(resolvedBytes).digest('hex') });

  const now = options.now ?? new Date();
  const manifest = PackageManifest.parse({
    format: PACKAGE_FORMAT,
    v: 1,
    createdAt: now.toISOString(),
    packedBy: sourceIdentity(),
    study: plan.study.id,
    run: run.run,
    provider: plan.provider,
    region: plan.region,
    hosting: plan.hosting,
    planHash: plan.hash,
    status: run.status,
    definition: {
      kind: definition.kind,
      name: definition.name,
      file: definition.file ? `${PACKAGE_DIRS.definition}/${path.basename(definition.file)}` : null,
      resolved: resolvedBytes ? resolvedPath : null,
      definitionHash: plan.study.definitionHash,
    },
    origin,
    bundles,
    templates: templates.map((t) => ({ path: t.path, source: t.source, matchesPlan: t.matchesPlan })),
    notes,
    files,
  });

  const top = `${plan.study.id}-${run.run}`;
  const out = path.resolve(options.cwd, options.out ?? `${top}.curtain.tar.gz`);
  if (existsSync(out)) throw new PackError(`${out} exists already: choose another --out (a package is never overwritten)`);
  const writer = new TarGzWriter(out, Math.floor(now.getTime() / 1000));
  try {
    await writer.addBuffer(`${top}/${PACKAGE_MANIFEST}`, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    for (const [i, source] of sources.entries()) {
      const written = await writer.addFile(`${top}/${source.path}`, source.file, files[i]!.bytes);
      if (written.sha256 !== files[i]!.sha256) throw new PackError(`${source.file} changed while it was packed`);
    }
    if (resolvedBytes) await writer.addBuffer(`${top}/${resolvedPath}`, resolvedBytes);
    await writer.finish();
  } catch (error) {
    writer.abort();
    throw error;
  }
  const archive = await hashFile(out);
  log(`curtain pack: wrote ${out} (${files.length + 1} files, ${archive.bytes} bytes)`);
  return { file: out, bytes: archive.bytes, sha256: archive.sha256, manifest };
}

async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Every file of the run directory, relative, sorted; anything but regular files and directories is refused. */
function walkRun(runDir: string): string[] {
  return walkRegular(runDir, (relative, kind) => {
    throw new PackError(`${path.join(runDir, relative)} is ${kind}: a package holds only regular files (copy the content in if it belongs to the run)`);
  });
}

function walkRegular(root: string, refuse?: (relative: string, kind: string) => never, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walkRegular(root, refuse, relative));
    else if (entry.isFile()) out.push(relative);
    else if (refuse) refuse(relative, entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file');
    else throw new PackError(`${path.join(root, relative)} is not a regular file`);
  }
  return out;
}

interface DefinitionChoice {
  kind: 'catalog' | 'file';
  name: string;
  file: string | null;
  resolved: StudyDefinition | null;
  notes: string[];
}

function packagedDefinition(plan: StudyPlan, run: RunManifest, options: PackOptions): DefinitionChoice {
  const recorded = run.origin?.options.study;
  const recordedFile = recorded?.kind === 'file' ? recorded.path : undefined;
  const file = options.definition !== undefined ? path.resolve(options.cwd, options.definition) : recordedFile;
  if (file !== undefined) {
    if (!existsSync(file)) {
      throw new PackError(`the run was planned from ${file}, which is not there: pass --definition FILE with the definition it was planned from`);
    }
    const definition = resolveDefinitionFile(file, parseSets(recorded?.kind === 'file' ? run.origin!.options.set : [])).definition;
    const hash = contentHash(definition);
    if (hash !== plan.study.definitionHash) {
      throw new PackError(`${file} is not the definition the run was planned from: it gives definition hash ${hash.slice(0, 16)}…, plan.json says ${plan.study.definitionHash.slice(0, 16)}…`);
    }
    const notes = recorded?.kind === 'file' && recorded.sha256 !== sha256Of(file) ? [`${file} is not byte for byte the file the run recorded, but it gives the same definition`] : [];
    return { kind: 'file', name: path.basename(file), file, resolved: definition, notes };
  }
  if (!CATALOG.some((s) => s.id === plan.study.id)) {
    throw new PackError(`${plan.study.id} is not a catalog study of this version and run.json names no definition file: pass --definition FILE`);
  }
  const definition = buildCatalogStudy(plan.study.id, plan.parameters);
  if (contentHash(definition) === plan.study.definitionHash) return { kind: 'catalog', name: plan.study.id, file: null, resolved: definition, notes: [] };
  return {
    kind: 'catalog',
    name: plan.study.id,
    file: null,
    resolved: null,
    notes: [`this version's catalog builds ${plan.study.id} differently from the run's (definition hash ${plan.study.definitionHash.slice(0, 16)}…): the package names the catalog study and its parameters only`],
  };
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function bundleRootFor(run: RunManifest, plan: StudyPlan, options: PackOptions): Promise<string> {
  if (options.bundles !== undefined) return path.resolve(options.cwd, options.bundles);
  const o = run.origin?.options;
  const used = o ? (o.target === 'local' ? o.bundles : o.bundleRoot) : null;
  if (used !== null && existsSync(path.join(used, 'dist/runtime/manifest.json'))) return used;
  if (used !== null) throw new PackError(`the run used the bundles of ${used}, which are not there: pass --bundles DIR`);
  // This checkout's, rebuilt only when stale; run.json's hashes decide whether they are the run's.
  await ensureRuntimeBuilt({ log: options.log });
  void plan;
  return REPO_ROOT;
}

interface FoundTemplate {
  path: string;
  source: string;
  matchesPlan: boolean;
}

/** Given templates, and the study's in the current directory's cdk.out / cdktf.out when they mention the plan's hash. */
function findTemplates(plan: StudyPlan, options: PackOptions): FoundTemplate[] {
  const mentions = (file: string) => readFileSync(file, 'utf8').includes(plan.hash);
  const found: FoundTemplate[] = (options.templates ?? []).map((t) => {
    const source = path.resolve(options.cwd, t);
    if (!lstatSync(source, { throwIfNoEntry: false })?.isFile()) throw new InputFileError(t, 'not a regular file (expected a synthesized template)');
    return { path: `${PACKAGE_DIRS.deploy}/${path.basename(source)}`, source, matchesPlan: mentions(source) };
  });
  const { deployment } = TARGETS[plan.provider];
  const candidates = deployment.kind === 'embedded' ? [] : deployment.synthesizedTemplates(plan.study.id, options.cwd);
  for (const { file: source, name } of candidates) {
    if (found.some((f) => f.source === source) || !lstatSync(source, { throwIfNoEntry: false })?.isFile() || !mentions(source)) continue;
    found.push({ path: `${PACKAGE_DIRS.deploy}/${name}`, source, matchesPlan: true });
  }
  return found;
}
