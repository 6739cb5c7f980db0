/**
 * Expands a definition's function matrix into the concrete functions one
 * provider deploys, adapting memory sizes only as the definition allows.
 */
import { CAPABILITIES, type HostingCapabilities, memorySupported, nearestMemory } from './capabilities';
import { INITIAL_GENERATION } from './plan-queries';
import { chooseRelease, offeredReleases } from './runtime-lifecycle';
import type { PlanFunction } from './plan-schema';
import type { Architecture, ProviderId, StudyDefinition, TargetSelector } from './schema';

export interface FunctionExpansion {
  functions: PlanFunction[];
  adaptations: string[];
  refusals: string[];
}

const RUNTIME_SHORT = { nodejs: 'node', python: 'py' } as const;

/**
 * `node-m128-a-0`; an arm64 function adds `-arm64` after the runtime, and a timeout that is a
 * dimension of the matrix adds `-t<seconds>` after the memory, so keys of existing plans never change.
 */
export function functionKey(
  runtime: 'nodejs' | 'python',
  memoryMb: number,
  tenant: string,
  copy: number,
  variant: { architecture?: Architecture; timeoutSeconds?: number } = {},
): string {
  const arch = variant.architecture === 'arm64' ? '-arm64' : '';
  const timeout = variant.timeoutSeconds === undefined ? '' : `-t${variant.timeoutSeconds}`;
  return `${RUNTIME_SHORT[runtime]}${arch}-m${memoryMb}${timeout}-${tenant}-${copy}`;
}

/** The matrix's architectures and timeouts as lists (one value or a dimension). */
export function matrixDimensions(matrix: StudyDefinition['functions']): { architectures: Architecture[]; timeouts: number[]; timeoutIsDimension: boolean } {
  return {
    architectures: Array.isArray(matrix.architecture) ? matrix.architecture : [matrix.architecture],
    timeouts: Array.isArray(matrix.timeoutSeconds) ? matrix.timeoutSeconds : [matrix.timeoutSeconds],
    timeoutIsDimension: Array.isArray(matrix.timeoutSeconds),
  };
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

  const { architectures, timeouts, timeoutIsDimension } = matrixDimensions(matrix);
  for (const architecture of architectures) {
    if (!hosting.architectures.includes(architecture)) {
      refusals.push(`architecture ${architecture} is not offered by ${caps.displayName} (${hosting.name}: ${hosting.architectures.join(', ')})`);
    }
  }
  for (const timeoutSeconds of timeouts) {
    if (timeoutSeconds > hosting.maxTimeoutSeconds) {
      refusals.push(`timeout ${timeoutSeconds} s exceeds the ${hosting.maxTimeoutSeconds} s maximum of ${caps.displayName} (${hosting.name})`);
    }
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

  // 2. The matrix, in a fixed order (runtime, architecture, memory, timeout, tenant, copy); merged variants keep
  // every requested size. With one architecture and one timeout this is the order plans always had.
  const byKey = new Map<string, PlanFunction>();
  const variants = architectures.flatMap((architecture) => timeouts.map((timeoutSeconds) => ({ architecture, timeoutSeconds })));
  // Runtimes left out by adapt.runtimes have no release here.
  for (const runtime of matrix.runtime.filter((r) => runtimeIds.has(r))) {
    for (const { architecture, timeoutSeconds } of variants) {
      for (const requested of matrix.memoryMb) {
        const memoryMb = memoryMap.get(requested)!;
        for (const tenant of matrix.tenant) {
          for (let copy = 0; copy < matrix.copies; copy++) {
            const key = functionKey(runtime, memoryMb, tenant, copy, { architecture, timeoutSeconds: timeoutIsDimension ? timeoutSeconds : undefined });
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
              architecture,
              tenant,
              copy,
              timeoutSeconds,
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
  }
  const functions = [...byKey.values()];
  const names = new Set(functions.map((f) => f.name));
  if (names.size < functions.length) {
    return { functions: [], adaptations, refusals: ['function names (study id + function key, cut to 56 characters) collide; use a shorter study id'] };
  }
  const merged = matrix.runtime.length * variants.length * matrix.memoryMb.length * matrix.tenant.length * matrix.copies - functions.length;
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
      (!selector.copy || selector.copy.includes(f.copy)) &&
      (!selector.architecture || selector.architecture.includes(f.architecture)) &&
      (!selector.timeoutSeconds || selector.timeoutSeconds.includes(f.timeoutSeconds)),
  );
}

function describeMemory(hosting: HostingCapabilities): string {
  const m = hosting.memory;
  return m.kind === 'list' ? `sizes ${m.sizesMb.join(', ')} MB` : `${m.minMb}–${m.maxMb} MB in ${m.stepMb} MB steps`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
