/**
 * What the conformance suite reports: one finding per broken rule, naming the
 * artifact (stack, resource, workflow), the field (a JSON pointer or argument
 * path) and the reference it breaks (a schema file, a documentation page, a
 * limit with its source), so a failing build says what to fix and why.
 */
export interface Finding {
  artifact: string;
  field: string;
  reference: string;
  message: string;
}

/** One line per finding; tests compare the list with [] so jest prints every line. */
export function describeFindings(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.artifact} › ${f.field}: ${f.message} [${f.reference}]`);
}

/** Counts of artifacts checked against each reference (the numbers the suite reports). */
export class CheckCounter {
  private readonly counts = new Map<string, { checked: number; failed: number }>();

  add(reference: string, findings: readonly Finding[] = []): void {
    const entry = this.counts.get(reference) ?? { checked: 0, failed: 0 };
    entry.checked += 1;
    if (findings.length > 0) entry.failed += 1;
    this.counts.set(reference, entry);
  }

  checked(reference: string): number {
    return this.counts.get(reference)?.checked ?? 0;
  }

  summary(): string {
    return [...this.counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reference, c]) => `${reference}: ${c.checked} checked, ${c.checked - c.failed} passed`)
      .join('\n');
  }
}
