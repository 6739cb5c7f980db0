/**
 * Extracts a Function App's package zip (the asset cdktf uploads) into a
 * directory, as the Functions host mounts WEBSITE_RUN_FROM_PACKAGE: a small
 * reader of the ZIP format's central directory (PKWARE APPNOTE 6.3.10, 4.3.12
 * and 4.3.16; stored and deflated entries; no ZIP64, no encryption, which
 * cdktf's archives do not use). Entry names that would leave the directory
 * are refused.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

export function extractZip(zipFile: string, dir: string): number {
  const zip = readFileSync(zipFile);
  const fail = (why: string): never => {
    throw new Error(`${zipFile}: ${why}`);
  };
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const root = path.resolve(dir);
  mkdirSync(root, { recursive: true });
  let files = 0;
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) fail(`central directory entry ${n} is corrupt`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    const target = path.resolve(root, name);
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) fail(`entry ${name} leaves the package directory`);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    if (zip.readUInt32LE(local) !== 0x04034b50) fail(`local header of ${name} is corrupt`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    const content = method === 0 ? data : method === 8 ? inflateRawSync(data) : fail(`entry ${name} uses compression method ${method}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    files += 1;
  }
  return files;
}
