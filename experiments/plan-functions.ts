/**
 * Expands a definition's function matrix into the concrete functions one
 * provider deploys, adapting memory sizes only as the definition allows.
 */
import { CAPABILITIES, type HostingCapabilities, memorySupported, nearestMemory } from './capabilities';
import { INITIAL_GENERATION } from './plan-queries';
import { chooseRelease, offeredReleases } from './runtime-lifecycle';
import type { PlanFunction } from './plan-schema';
import type { ProviderId, StudyDefinition, TargetSelector } from './schema';

export interface FunctionExpansion {
  functions: PlanFunction[];
  adaptations: string[];
  refusals: string[];
}

const RUNTIME_SHORT = { nodejs: 'node', python: 'py' } as const;

export function functionKey(runtime: 'nodejs' | 'python', memoryMb: number, tenant: string, copy: number): string {
  return `${RUNTIME_SHORT[runtime]}-m${memoryMb}-${tenant}-${copy}`;
}

export function expandFunctions(
  definition: StudyDefinition,
  provider: ProviderId,
  hosting: HostingCapabilities,
): FunctionExpansion {
  const caps = CAPABILITIES[provider];
  const adaptations: string[] = [];
  const refusals: string[] = [];
  const matrix = definition.functions;

  // 1. Memory: map each requested size to a configurable one, or refuse.
  const memoryMap = new Map<number, number>();
  for (const requested of matrix.memoryMb) {
    if (memorySupported(hosting.memory, requested)) {
      memoryMap.set(requested, requested);
      continue;
    }
    const policy = definition.adapt.memory;
    const offered = describeMemory(hosting);
    if (policy === 'nearest' || (policy === 'provider-fixed' && hosting.memory.sizesMb.length === 1)) {
      const chosen = policy === 'nearest' ? nearestMemory(hosting.memory, requested) : hosting.memory.sizesMb[0]!;
      memoryMap.set(requested, chosen);
      adaptations.push(`memory ${requested} MB is not configurable on ${caps.displayName} (${hosting.name}: ${offered}); using ${chosen} MB (adapt.memory=${policy})`);
    } else {
      refusals.push(
        `memory ${requested} MB is not configurable on ${caps.displayName} (${hosting.name}: ${offered}) and adapt.memory is "${policy}"`,
      );
    }
  }

  if (!hosting.architectures.includes(matrix.architecture)) {
    refusals.push(`architecture ${matrix.architecture} is not offered by ${caps.displayName} (${hosting.architectures.join(', ')})`);
  }
  if (matrix.timeoutSeconds > hosting.maxTimeoutSeconds) {
    refusals.push(`timeout ${matrix.timeoutSeconds} s exceeds the ${hosting.maxTimeoutSeconds} s maximum of ${caps.displayName} (${hosting.name})`);
  }
  if (matrix.tenant.length > caps.maxTenants) {
    refusals.push(`the study uses ${matrix.tenant.length} tenants; ${caps.displayName} supports ${caps.maxTenants} (${caps.tenantNote})`);
  }
  // Runtime versions: the one asked for, else the newest the hosting plan offers.
  const runtimeIds = new Map<string, string>();
  for (const runtime of matrix.runtime) {
    const asked = matrix.runtimeVersions?.[runtime];
    const release = chooseRelease(provider, hosting.name, runtime, asked);
    if (release) runtimeIds.set(runtime, release.id);
    else if (definition.adapt.runtimes === 'offered' && asked === undefined && offeredReleases(provider, hosting.name, runtime).length === 0) {
      adaptations.push(`${runtime} is not offered by ${caps.displayName} (${hosting.name}); left out (adapt.runtimes=offered)`);
    } else {
      const offered = offeredReleases(provider, hosting.name, runtime).map((r) => r.version);
      refusals.push(
        `functions.runtimeVersions.${runtime}: ${asked === undefined ? 'no version' : `version "${asked}"`} of ${runtime} is offered by ${caps.displayName} (${hosting.name})${offered.length > 0 ? `; choose ${offered.map((v) => `"${v}"`).join(' or ')}` : ''}`,
      );
    }
  }
  if (runtimeIds.size === 0 && refusals.length === 0) refusals.push(`none of the runtimes ${matrix.runtime.join(', ')} is offered by ${caps.displayName} (${hosting.name})`);
  if (refusals.length > 0) return { functions: [], adaptations, refusals };

  // 2. The matrix, in a fixed order (runtime, memory, tenant, copy); merged variants keep every requested size.
  const byKey = new Map<string, PlanFunction>();
  // Runtimes left out by adapt.runtimes have no release here.
  for (const runtime of matrix.runtime.filter((r) => runtimeIds.has(r))) {
    for (const requested of matrix.memoryMb) {
      const memoryMb = memoryMap.get(requested)!;
      for (const tenant of matrix.tenant) {
        for (let copy = 0; copy < matrix.copies; copy++) {
          const key = functionKey(runtime, memoryMb, tenant, copy);
          const existing = byKey.get(key);
          if (existing) {
            if (!existing.requestedMemoryMb.includes(requested)) existing.requestedMemoryMb.push(requested);
            continue;
          }
          byKey.set(key, {
            key,
            name: `${definition.id}-${key}`.slice(0, 56),
            memoryMb,
            requestedMemoryMb: [requested],
            vcpu: hosting.vcpuForMemoryMb ? round3(hosting.vcpuForMemoryMb(memoryMb)) : null,
            runtime,
            runtimeVersion: runtimeIds.get(runtime)!,
            architecture: matrix.architecture,
            tenant,
            copy,
            timeoutSeconds: matrix.timeoutSeconds,
            env: {
              CURTAIN_STUDY: definition.id,
              CURTAIN_FUNCTION: key,
              CURTAIN_TENANT: tenant,
              CURTAIN_GENERATION: INITIAL_GENERATION,
            },
          });
        }
      }
    }
  }
  const functions = [...byKey.values()];
  const merged = matrix.runtime.length * matrix.memoryMb.length * matrix.tenant.length * matrix.copies - functions.length;
  if (merged > 0) adaptations.push(`${merged} function variant(s) became identical after adaptation and were merged`);
  return { functions, adaptations, refusals };
}

/** Function keys a selector addresses, in plan order. Memory selectors match the sizes the definition asked for. */
export function selectFunctions(functions: PlanFunction[], selector: TargetSelector): PlanFunction[] {
  if (selector === 'all') return functions;
  return functions.filter(
    (f) =>
      (!selector.memoryMb || selector.memoryMb.some((m) => f.requestedMemoryMb.includes(m))) &&
      (!selector.runtime || selector.runtime.includes(f.runtime)) &&
      (!selector.tenant || selector.tenant.includes(f.tenant)) &&
      (!selector.copy || selector.copy.includes(f.copy)),
  );
}

function describeMemory(hosting: HostingCapabilities): string {
  const m = hosting.memory;
  return m.kind === 'list' ? `sizes ${m.sizesMb.join(', ')} MB` : `${m.minMb}–${m.maxMb} MB in ${m.stepMb} MB steps`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
