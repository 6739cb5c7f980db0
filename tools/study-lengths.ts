/**
 * Each catalog study at ten times its default length, for the orchestration
 * limits tables (docs/<provider>-limits.md): the parameters that lengthen its
 * schedule (rounds, hours, levels, gaps), set to ten times their defaults.
 * The renderer refuses a catalog study without an entry, so the generated
 * docs (and their test) cannot silently leave one out.
 */
export const TEN_TIMES_LONGER: Readonly<Record<string, { readonly sets: Record<string, unknown>; readonly note: string }>> = {
  isolation: { sets: { rounds: 30 }, note: 'rounds 3 → 30' },
  placement: { sets: { rounds: 30 }, note: 'rounds 3 → 30' },
  scalability: { sets: { step: 1, maxConcurrency: 400 }, note: 'levels 40 → 400 (step 1, up to 400)' },
  coldstart: { sets: { rounds: 50 }, note: 'rounds 5 → 50' },
  lifetime: { sets: { hours: 120 }, note: 'hours 12 → 120' },
  'idle-recycling': { sets: { gapsMinutes: [10, 50, 100, 150, 200, 250, 260, 270, 300, 400, 600, 900, 1200] }, note: 'gaps × 10 (longest 20 h)' },
  'cpu-share': { sets: { rounds: 30 }, note: 'rounds 3 → 30' },
  contention: { sets: { levels: Array.from({ length: 50 }, (_, i) => i + 1) }, note: 'levels 5 → 50 (1..50 instances)' },
  'update-consistency': { sets: { rounds: 50 }, note: 'rounds 5 → 50' },
  accounting: { sets: { rounds: 50 }, note: 'rounds 5 → 50' },
};
