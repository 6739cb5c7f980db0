/**
 * Placement policies: which host a new instance goes to. Pure functions over
 * the hosts an instance may use (its tenant's when hosts are dedicated), so
 * each policy is tested on its own.
 */
import type { PlatformProfile } from '../profiles';
import type { Random } from '../random';

export interface PlacementCandidate {
  id: string;
  freeMb: number;
  /** Creation order: binpack fills the oldest host first. */
  seq: number;
}

export interface PlacementDecision {
  /** The chosen host, or null to open a new one. */
  hostId: string | null;
  /** How many existing hosts had room (a new host with room elsewhere means the policy spreads). */
  hostsWithRoom: number;
}

export function choosePlacement(
  policy: PlatformProfile['placement']['policy'],
  candidates: readonly PlacementCandidate[],
  memoryMb: number,
  poolSize: number,
  random: Random,
): PlacementDecision {
  const fitting = candidates.filter((c) => c.freeMb >= memoryMb);
  const hostsWithRoom = fitting.length;
  switch (policy) {
    case 'microvm':
      return { hostId: null, hostsWithRoom };
    case 'binpack': {
      // First fit in creation order: older hosts fill up to their capacity before a new one opens.
      const first = [...fitting].sort((a, b) => a.seq - b.seq)[0];
      return { hostId: first ? first.id : null, hostsWithRoom };
    }
    case 'spread': {
      if (candidates.length < poolSize) return { hostId: null, hostsWithRoom };
      const emptiest = [...fitting].sort((a, b) => b.freeMb - a.freeMb || a.seq - b.seq)[0];
      return { hostId: emptiest ? emptiest.id : null, hostsWithRoom };
    }
    case 'random': {
      const options: (string | null)[] = fitting.map((c) => c.id);
      if (candidates.length < poolSize) options.push(null);
      return { hostId: options.length > 0 ? random.pick(options) : null, hostsWithRoom };
    }
  }
}
