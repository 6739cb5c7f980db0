/**
 * Shared helpers for the AWS target's tests: plans of catalog studies, tiny
 * stand-in bundles in a temp directory (the stacks only package bundle
 * directories, so the infrastructure is the same as with the real bundles),
 * and one synthesized app per test file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { buildCatalogStudy } from '../../../experiments/resolve-study';
import type { StudyDefinitionInput } from './definitions';
import { BUNDLE_MANIFEST_PATH, BUNDLE_NAMES, type BundleManifest } from '../../../probe-runtime/contracts/bundle-manifest';
import { parseAwsAppContext } from '../../../stacks/aws/app-context';
import { buildAwsApp, createCurtainApp, type BuiltStudy } from '../../../stacks/aws/build-app';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

export function catalogPlan(id: string, sets: Record<string, unknown> = {}): StudyPlan {
  return planStudy(buildCatalogStudy(id, sets), { provider: 'aws' });
}

export function definitionPlan(definition: StudyDefinitionInput): StudyPlan {
  return planStudy(definition, { provider: 'aws' });
}

export interface StandInBundles {
  root: string;
  cleanup(): void;
}

/** dist/runtime/ with every bundle of the manifest contract, each a one-line file. */
export function makeStandInBundles(): StandInBundles {
  const root = mkdtempSync(path.join(os.tmpdir(), 'curtain-aws-bundles-'));
  const bundles = {} as BundleManifest['bundles'];
  for (const name of BUNDLE_NAMES) {
    const dir = `dist/runtime/${name}`;
    const entry = name === 'probe-python' ? 'probe.py' : 'index.js';
    const content = name === 'probe-python' ? 'def handler(event, context):\n    return {}\n' : `exports.handler = async () => ({ bundle: '${name}' });\n`;
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, entry), content);
    bundles[name] = { dir, entry, bytes: content.length, sha256: createHash('sha256').update(name + content).digest('hex') };
  }
  const manifest: BundleManifest = { v: 1, tool: { name: 'curtain', version: '0.0.0-test' }, bundles };
  writeFileSync(path.join(root, BUNDLE_MANIFEST_PATH), JSON.stringify(manifest));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface SynthesizedApp {
  app: App;
  built: BuiltStudy[];
  outdir: string;
  /** Template of a stack by its name (`curtain-<study>`, `curtain-<study>-tenant-b`). */
  template(stackName: string): Template;
  json(stackName: string): { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Outputs?: Record<string, { Value: unknown }> };
  log: string[];
  cleanup(): void;
}

/**
 * Builds and synthesizes the app once for the given context (`study`, `tenantB`, ...),
 * exactly as stacks/aws/app.ts does, with stand-in bundles. Tests in a file share it.
 */
export function synthesizeApp(
  context: Record<string, unknown>,
  options: { defaultAccount?: string; nag?: boolean; cfnValidation?: boolean } = {},
): SynthesizedApp {
  const bundles = makeStandInBundles();
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'curtain-aws-cdkout-'));
  const app = createCurtainApp({ outdir });
  const log: string[] = [];
  const built = buildAwsApp(app, {
    context: parseAwsAppContext({ bundleRoot: bundles.root, ...context }),
    repoRoot: REPO_ROOT,
    defaultAccount: options.defaultAccount,
    log: (line) => log.push(line),
  });
  if (options.nag ?? true) {
    // Imported lazily: only files that check nag pay for loading it.
    (require('../../../stacks/aws/nag') as typeof import('../../../stacks/aws/nag')).applyNagChecks(app);
  }
  // CDK's built-in CloudFormation schema validation costs seconds per process; the
  // catalog synth test keeps it on, files that assert on templates turn it off.
  const saved = process.env.CDK_VALIDATION;
  if (!(options.cfnValidation ?? false)) process.env.CDK_VALIDATION = 'false';
  let assembly: ReturnType<App['synth']>;
  try {
    assembly = app.synth();
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
  const cache = new Map<string, Template>();
  return {
    app,
    built,
    outdir,
    log,
    template(stackName) {
      let t = cache.get(stackName);
      if (!t) {
        t = Template.fromJSON(assembly.getStackByName(stackName).template as Record<string, unknown>);
        cache.set(stackName, t);
      }
      return t;
    },
    json(stackName) {
      return assembly.getStackByName(stackName).template;
    },
    cleanup() {
      bundles.cleanup();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
