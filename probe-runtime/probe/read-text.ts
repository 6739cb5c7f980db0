/**
 * Safe reads of small kernel files. Platforms differ (gVisor, containers,
 * cgroup v1/v2, arm64), so a missing, unreadable or malformed file must yield
 * null for its field and never throw.
 */
import { readFileSync } from 'node:fs';

/** The file's text, or null when it cannot be read (missing, a directory, permission, ...). */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Trim ASCII whitespace only, exactly as the Python probe does, so both agree on odd files. */
export function trimAscii(text: string): string {
  return text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
}

const MAX_FIELD_LENGTH = 256;
// Control characters, and U+FFFD which stands for bytes that were not UTF-8.
const UNPRINTABLE = /[\u0000-\u001f\u007f\ufffd]/;

/**
 * A one-line text field (kernel release, hostname, CPU model): trimmed, non-empty,
 * printable and of sane length, else null. Garbage in a file never reaches a record.
 */
export function cleanField(text: string | null | undefined): string | null {
  if (text == null) return null;
  const value = trimAscii(text);
  if (value === '' || value.length > MAX_FIELD_LENGTH || UNPRINTABLE.test(value)) return null;
  return value;
}
