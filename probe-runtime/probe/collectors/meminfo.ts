/** `MemTotal` of <proc>/meminfo, in kB; null when absent or malformed. */
export function parseMemTotalKb(meminfo: string | null): number | null {
  const match = meminfo && /^MemTotal:[ \t]*(\d{1,15})[ \t]*kB[ \t]*$/m.exec(meminfo);
  return match ? Number(match[1]) : null;
}
