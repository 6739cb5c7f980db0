/** Shared helpers of the local platform tests. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlanFunction } from '../../experiments/plan-schema';
import type { ProbeRequestInput } from '../../probe-runtime/contracts/probe-wire';
import type { TaskInput } from '../../probe-runtime/contracts/task';
import { FaultOptions } from '../../local/faults';
import { LocalPlatform, type PlatformOptions } from '../../local/platform/local-platform';
import { resolveProfile } from '../../local/profiles';
import { TimeScale } from '../../local/time-scale';
import { pidExists } from '../../local/run-state/process-identity';

export const STAND_IN = path.join(__dirname, 'fixtures', 'stand-in-instance.js');

export function planFunction(key: string, overrides: Partial<PlanFunction> = {}): PlanFunction {
  const tenant = overrides.tenant ?? 'a';
  return {
    key,
    name: `t-${key}`,
    memoryMb: 128,
    requestedMemoryMb: [overrides.memoryMb ?? 128],
    vcpu: null,
    runtime: 'nodejs',
    runtimeVersion: 'node',
    architecture: 'x86_64',
    tenant,
    copy: 0,
    timeoutSeconds: 10,
    env: { CURTAIN_STUDY: 'test', CURTAIN_FUNCTION: key, CURTAIN_TENANT: tenant, CURTAIN_GENERATION: 'g0' },
    ...overrides,
  };
}

export interface TestPlatformOptions {
  profile?: string;
  profileSet?: Record<string, unknown>;
  faults?: Partial<FaultOptions>;
  timeScale?: number;
  cpuQuota?: 'auto' | 'off';
  cgroupParent?: string;
  ioLimit?: 'auto' | 'off';
  blkioParent?: string;
  command?: { command: string; args: string[] };
}

export async function startTestPlatform(functions: PlanFunction[], options: TestPlatformOptions = {}): Promise<LocalPlatform> {
  const command = options.command ?? { command: process.execPath, args: [STAND_IN] };
  const platformOptions: PlatformOptions = {
    profile: resolveProfile(options.profile ?? 'modern', options.profileSet ?? {}),
    timeScale: new TimeScale(options.timeScale ?? 1),
    faults: FaultOptions.parse(options.faults ?? {}),
    functions,
    runtimes: { nodejs: command, python: command },
    workDir: mkdtempSync(path.join(os.tmpdir(), 'curtain-local-test-')),
    seed: 7,
    cpuQuota: options.cpuQuota ?? 'off',
    cgroupParent: options.cgroupParent,
    ioLimit: options.ioLimit ?? 'off',
    blkioParent: options.blkioParent,
  };
  return LocalPlatform.start(platformOptions);
}

let requestCounter = 0;

export function probeRequest(target: string, task: TaskInput = { name: 'noop' }, extra: Partial<ProbeRequestInput> = {}): ProbeRequestInput {
  requestCounter += 1;
  return {
    v: 1,
    study: 'test',
    run: 'r1',
    step: 0,
    request: requestCounter,
    attempt: 1,
    target,
    task: task as ProbeRequestInput['task'],
    barrierAt: null,
    sentAt: Date.now(),
    ...extra,
  };
}

export interface InvokeResult {
  status: number;
  body: Record<string, unknown>;
}

/** POST to the front door over a fresh connection, as the driver does. */
export async function invokeHttp(platform: LocalPlatform, target: string, body: unknown): Promise<InvokeResult> {
  const res = await fetch(`${platform.endpoint}/invoke/${encodeURIComponent(target)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function invokeTask(platform: LocalPlatform, target: string, task: TaskInput = { name: 'noop' }): Promise<InvokeResult> {
  return invokeHttp(platform, target, probeRequest(target, task));
}

export function instanceIdOf(result: InvokeResult): string {
  return (result.body.instance as { id: string }).id;
}

/** Whether a process with this pid exists (local/run-state/process-identity.ts). */
export const isAlive = pidExists;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
