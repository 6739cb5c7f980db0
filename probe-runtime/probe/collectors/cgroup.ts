/**
 * <proc>/self/cgroup, verbatim line by line: `hierarchy:controllers:path`
 * (cgroup v1 has one line per hierarchy, v2 a single `0::/...`). On 2018
 * Lambda the path `/sandbox-root-XXXXXX/sandbox-YYYY` identified the VM.
 * A file with any line that is not of that form is malformed: null.
 */
const CGROUP_LINE = /^\d+:[^:]*:[^\u0000-\u001f\u007f\ufffd]+$/;

export function parseCgroup(text: string | null): string[] | null {
  if (text == null) return null;
  const lines = text.split('\n').filter((line) => line !== '');
  if (lines.length === 0 || !lines.every((line) => CGROUP_LINE.test(line))) return null;
  return lines;
}
