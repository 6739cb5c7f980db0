/** Test helper: a replication package with one byte of one member's content flipped. */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Writes to `out` the package `file` with one byte of the first member matching `member` flipped (tar headers read by hand). */
export function alterOneByte(file: string, member: RegExp, out: string): void {
  const tar = gunzipSync(readFileSync(file));
  for (let offset = 0; offset + 512 <= tar.length; offset += 512) {
    const name = tar.subarray(offset, offset + 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = tar.subarray(offset + 345, offset + 500).toString('utf8').replace(/\0.*$/s, '');
    if (member.test(prefix ? `${prefix}/${name}` : name)) {
      tar[offset + 512 + 20] ^= 0x01;
      writeFileSync(out, gzipSync(tar));
      return;
    }
  }
  throw new Error(`no member ${member}`);
}
