/**
 * Checks a replication package against its manifest, file by file as they
 * stream past (from the archive, or from an unpacked directory): every listed
 * file present once with its size and sha256, nothing unlisted; then the
 * contents against each other: the plan against its own hash and the
 * package's, run.json against the plan, the resolved definition against the
 * plan's definition hash, each bundle directory against the bundle manifest
 * and against the hashes run.json recorded. Each problem names the file and,
 * where there is one, the expected and the actual value.
 */
import { createHash } from 'node:crypto';
import { contentHash } from '../experiments/canonical-json';
import { StudyPlan } from '../experiments/plan-schema';
import { StudyDefinition } from '../experiments/schema';
import { BundleManifest } from '../probe-runtime/contracts/bundle-manifest';
import { RunManifest } from '../probe-runtime/contracts/run-manifest';
import { recordedBundles } from './bundle-check';
import { PACKAGE_DIRS, type PackageManifest, type PackagedFile } from './package-manifest';
import { planContentHash } from '../experiments/plan-integrity';
import { MAX_JSON_BYTES, parseJsonBytes } from './read-json';

export interface PackageProblem {
  file: string;
  problem: string;
  expected?: string;
  actual?: string;
}

export function formatPackageProblem(p: PackageProblem): string {
  const values = p.expected !== undefined || p.actual !== undefined ? ` (expected ${p.expected ?? 'nothing'}, actual ${p.actual ?? 'nothing'})` : '';
  return `${p.file}: ${p.problem}${values}`;
}

const PLAN = `${PACKAGE_DIRS.run}/plan.json`;
const RUN = `${PACKAGE_DIRS.run}/run.json`;
const BUNDLE_MANIFEST = `${PACKAGE_DIRS.runtime}/dist/runtime/manifest.json`;

export class PackageChecker {
  readonly problems: PackageProblem[] = [];
  private readonly listed: Map<string, PackagedFile>;
  private readonly seen = new Map<string, string>();
  private readonly json = new Map<string, Buffer>();
  bytes = 0;

  constructor(readonly manifest: PackageManifest) {
    this.listed = new Map(manifest.files.map((f) => [f.path, f]));
    if (this.listed.size !== manifest.files.length) this.problems.push({ file: 'curtain-package.json', problem: 'lists a file twice' });
  }

  /** Whether a file's bytes are needed for the content checks (small JSON files). */
  wantsContent(path: string): boolean {
    return path === PLAN || path === RUN || path === BUNDLE_MANIFEST || path === this.manifest.definition.resolved;
  }

  isListed(path: string): boolean {
    return this.listed.has(path);
  }

  /** A file as found; `content` for the files wantsContent() asked for. */
  file(path: string, bytes: number, sha256: string, content?: Buffer): void {
    this.bytes += bytes;
    const listed = this.listed.get(path);
    if (!listed) {
      this.problems.push({ file: path, problem: 'is not listed in curtain-package.json' });
      return;
    }
    if (this.seen.has(path)) {
      this.problems.push({ file: path, problem: 'appears twice in the package' });
      return;
    }
    this.seen.set(path, sha256);
    if (bytes !== listed.bytes) this.problems.push({ file: path, problem: 'size differs', expected: `${listed.bytes} bytes`, actual: `${bytes} bytes` });
    if (sha256 !== listed.sha256) this.problems.push({ file: path, problem: 'sha256 differs', expected: listed.sha256, actual: sha256 });
    else if (content && content.length <= MAX_JSON_BYTES) this.json.set(path, content);
  }

  /** After the last file: what is missing, and the content checks. */
  finish(): PackageProblem[] {
    for (const f of this.manifest.files) if (!this.seen.has(f.path)) this.problems.push({ file: f.path, problem: 'is listed in curtain-package.json but missing from the package' });
    this.checkContents();
    return this.problems;
  }

  private parse<S extends typeof StudyPlan | typeof RunManifest | typeof BundleManifest | typeof StudyDefinition>(path: string, schema: S, what: string) {
    const bytes = this.json.get(path);
    if (!bytes) return null;
    try {
      return parseJsonBytes(path, bytes, schema, what) as ReturnType<S['parse']>;
    } catch (error) {
      this.problems.push({ file: path, problem: (error as Error).message.replace(`${path}: `, '') });
      return null;
    }
  }

  private checkContents(): void {
    const m = this.manifest;
    const plan = this.parse(PLAN, StudyPlan, 'plan');
    if (plan) {
      const content = planContentHash(plan);
      if (content !== plan.hash) this.problems.push({ file: PLAN, problem: 'does not match its own hash (edited after it was planned)', expected: plan.hash, actual: content });
      if (plan.hash !== m.planHash) this.problems.push({ file: PLAN, problem: 'is not the plan curtain-package.json names', expected: m.planHash, actual: plan.hash });
      if (plan.study.definitionHash !== m.definition.definitionHash) {
        this.problems.push({ file: PLAN, problem: 'names another definition than curtain-package.json', expected: m.definition.definitionHash, actual: plan.study.definitionHash });
      }
    } else if (!this.problems.some((p) => p.file === PLAN)) this.problems.push({ file: PLAN, problem: 'missing: a package holds the plan of its run' });
    const run = this.parse(RUN, RunManifest, 'run manifest');
    if (run && run.planHash !== m.planHash) this.problems.push({ file: RUN, problem: 'names another plan', expected: m.planHash, actual: run.planHash });
    if (m.definition.resolved) {
      const definition = this.parse(m.definition.resolved, StudyDefinition, 'study definition');
      const hash = definition ? contentHash(definition) : null;
      if (hash !== null && hash !== m.definition.definitionHash) {
        this.problems.push({ file: m.definition.resolved, problem: 'is not the definition the plan was compiled from', expected: m.definition.definitionHash, actual: hash });
      }
    }
    this.checkBundles(run);
  }

  /** Each bundle directory's hash, recomputed from its files' hashes as probe-runtime/build/hash-dir.ts does. */
  private checkBundles(run: RunManifest | null): void {
    const bundles = this.parse(BUNDLE_MANIFEST, BundleManifest, 'bundle manifest');
    if (!bundles) return;
    const recorded = new Map(run ? recordedBundles(run, this.manifest.provider) : []);
    for (const [name, entry] of Object.entries(bundles.bundles)) {
      const prefix = `${PACKAGE_DIRS.runtime}/${entry.dir}/`;
      const files = [...this.seen.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).sort();
      const outer = createHash('sha256');
      for (const file of files) outer.update(`${file}\0${this.seen.get(prefix + file)}\n`);
      const actual = outer.digest('hex');
      const where = `${PACKAGE_DIRS.runtime}/${entry.dir}/`;
      if (actual !== entry.sha256) this.problems.push({ file: where, problem: `bundle ${name} differs from the bundle manifest`, expected: entry.sha256, actual });
      const packaged = this.manifest.bundles.find((b) => b.bundle === name);
      if (packaged && packaged.packaged !== entry.sha256) this.problems.push({ file: where, problem: `bundle ${name} is not the one curtain-package.json names`, expected: packaged.packaged, actual: entry.sha256 });
      const fromRun = recorded.get(name as never);
      if (fromRun && fromRun !== entry.sha256) this.problems.push({ file: where, problem: `bundle ${name} is not the one run.json recorded`, expected: fromRun, actual: entry.sha256 });
    }
  }
}
