/**
 * A growable buffer of doubles. Analyses keep per-sample numbers (latencies,
 * shares) in these rather than in arrays of objects: 8 bytes a sample, so a
 * million-record run needs megabytes, not the records themselves.
 */
export class NumericBuffer {
  private data: Float64Array;
  private size = 0;

  constructor(initialCapacity = 64) {
    this.data = new Float64Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }

  /** A copy of the values, sorted ascending. */
  sorted(): Float64Array {
    return this.data.slice(0, this.size).sort();
  }

  /** A copy of the values in insertion order. */
  values(): Float64Array {
    return this.data.slice(0, this.size);
  }
}

/** Buffers keyed by a group name, created on first use. */
export class GroupedBuffers {
  private readonly groups = new Map<string, NumericBuffer>();

  push(group: string, value: number): void {
    let buffer = this.groups.get(group);
    if (!buffer) {
      buffer = new NumericBuffer();
      this.groups.set(group, buffer);
    }
    buffer.push(value);
  }

  get(group: string): NumericBuffer | undefined {
    return this.groups.get(group);
  }

  keys(): string[] {
    return [...this.groups.keys()];
  }
}
