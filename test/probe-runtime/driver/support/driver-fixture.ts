/** DriverDeps for the local provider against a fake probe server and a temp results directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StudyPlan } from '../../../../experiments/plan-schema';
import type { Deployment } from '../../../../probe-runtime/contracts/deployment';
import { createLocalInvoker } from '../../../../probe-runtime/driver/invokers/http';
import type { DriverDeps } from '../../../../probe-runtime/driver/run-driver-event';
import { createLocalDirSink } from '../../../../probe-runtime/driver/sinks/local-dir';

export function localDeployment(plan: StudyPlan): Deployment {
  return { v: 1, provider: 'local', region: plan.region, planHash: plan.hash, targets: Object.fromEntries(plan.functions.map((f) => [f.key, f.key])) };
}

export function localDeps(plan: StudyPlan, endpoint: string, resultsDir: string, extra: Partial<DriverDeps> = {}): DriverDeps {
  return {
    plan,
    deployment: localDeployment(plan),
    invoker: createLocalInvoker(endpoint),
    sink: createLocalDirSink(resultsDir),
    toolVersion: '0.0.0-test',
    bundles: { probe: null, driver: null, pythonProbe: null },
    retryDelay: () => 1,
    ...extra,
  };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `curtain-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const RUN = '20261126T120000Z-test';
