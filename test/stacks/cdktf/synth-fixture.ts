/**
 * Synthesizes the CDK for Terraform app in-process (no terraform binary, no
 * cdktf CLI) into a temporary directory, with stand-in bundles, and reads the
 * Terraform JSON of each stack. Test files synthesize once and share the result.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCdktfApp } from '../../../stacks/cdktf/build-app';
import { cdktfTargets } from '../../../targets/registry';
import { makeFakeBundles } from './fake-bundles';

export interface TfResource {
  type: string;
  name: string;
  body: Record<string, unknown>;
}

export interface SynthesizedStack {
  name: string;
  json: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  resources: TfResource[];
  dir: string;
}

export interface Synthesis {
  stacks: Map<string, SynthesizedStack>;
  skipped: string[];
  /** Where function packages were staged (one directory per package, named by content hash). */
  stagingRoot: string;
  cleanup(): void;
}

export function synthesize(env: Record<string, string>): Synthesis {
  const bundleRoot = makeFakeBundles();
  const work = mkdtempSync(path.join(os.tmpdir(), 'curtain-cdktf-'));
  const outdir = path.join(work, 'cdktf.out');
  const stagingRoot = path.join(work, 'staging');
  const built = buildCdktfApp({ outdir, env, targets: cdktfTargets(), bundleRoot, stagingRoot });
  built.app.synth();
  const stacks = new Map<string, SynthesizedStack>();
  for (const s of built.stacks) {
    const dir = path.join(outdir, 'stacks', s.stack);
    const json = JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as SynthesizedStack['json'];
    const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, body]) => ({ type, name, body })),
    );
    stacks.set(s.stack, { name: s.stack, json, resources, dir });
  }
  return {
    stacks,
    skipped: built.skipped,
    stagingRoot,
    cleanup: () => {
      rmSync(work, { recursive: true, force: true });
      rmSync(bundleRoot, { recursive: true, force: true });
    },
  };
}

export function resourcesOf(stack: SynthesizedStack, type: string): TfResource[] {
  return stack.resources.filter((r) => r.type === type);
}

/** Every string anywhere in a value (for searching a stack for a forbidden member or key). */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}
