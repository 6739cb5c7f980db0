/**
 * Adjusted Rand index of two partitions of the same items (Hubert & Arabie, 1985):
 * 1 when they agree exactly, about 0 for a chance agreement. Items are keys; each
 * partition maps an item to its group.
 */
export function adjustedRandIndex(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): number {
  const items = [...a.keys()].filter((k) => b.has(k));
  const n = items.length;
  if (n < 2) return 1;
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const cells = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  for (const item of items) {
    const [ga, gb] = [a.get(item)!, b.get(item)!];
    cells.set(`${ga}\u0000${gb}`, (cells.get(`${ga}\u0000${gb}`) ?? 0) + 1);
    rows.set(ga, (rows.get(ga) ?? 0) + 1);
    cols.set(gb, (cols.get(gb) ?? 0) + 1);
  }
  const index = [...cells.values()].reduce((s, x) => s + pairs(x), 0);
  const rowSum = [...rows.values()].reduce((s, x) => s + pairs(x), 0);
  const colSum = [...cols.values()].reduce((s, x) => s + pairs(x), 0);
  const expected = (rowSum * colSum) / pairs(n);
  const max = (rowSum + colSum) / 2;
  // Both partitions all singletons (or both one group): identical, nothing to adjust for.
  if (max === expected) return index === max ? 1 : 0;
  return (index - expected) / (max - expected);
}
