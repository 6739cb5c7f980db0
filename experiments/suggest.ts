/** "Did you mean": the closest names by edit distance, for unknown studies, options and parameters. */

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `limit` candidates close to `name` (prefix/substring matches first), best first. */
export function closest(name: string, candidates: readonly string[], limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored = candidates.map((c) => {
    const cl = c.toLowerCase();
    const contains = cl.includes(lower) || lower.includes(cl);
    return { c, score: editDistance(lower, cl) - (contains ? 100 : 0) };
  });
  const threshold = Math.max(2, Math.floor(name.length / 2));
  return scored
    .filter((s) => s.score <= threshold)
    .sort((x, y) => x.score - y.score || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((s) => s.c);
}
