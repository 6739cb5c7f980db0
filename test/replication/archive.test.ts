/**
 * The package archive against an external reference, GNU tar: it lists and
 * extracts what TarGzWriter writes, and readTarGz reads what GNU tar writes
 * in ustar format. Hostile archives (links, `..`, absolute paths, a second top
 * directory, oversized or truncated entries, not gzip) are refused, and an
 * unpack that fails leaves nothing behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeHeader, padding } from '../../replication/archive/tar-format';
import { readTarGz } from '../../replication/archive/tar-gz-reader';
import { TarGzWriter } from '../../replication/archive/tar-gz-writer';
import { unpackPackage } from '../../replication/verify';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-archive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function entries(file: string, limits?: Parameters<typeof readTarGz>[1]) {
  const out: { path: string; text: string }[] = [];
  for await (const e of readTarGz(file, limits)) {
    const parts: Buffer[] = [];
    for await (const c of e.content()) parts.push(c);
    if (e.type === 'file') out.push({ path: e.path, text: Buffer.concat(parts).toString('utf8') });
  }
  return out;
}

/** A hand-made archive: raw headers and contents, gzipped. */
function rawArchive(name: string, items: { path: string; content?: string; flag?: string }[], truncate = 0): string {
  const blocks: Buffer[] = [];
  for (const item of items) {
    const content = Buffer.from(item.content ?? '');
    const header = encodeHeader({ path: item.path, size: content.length, type: 'file', mtime: 0 });
    if (item.flag) {
      header[156] = item.flag.charCodeAt(0);
      header.fill(0x20, 148, 156);
      header.write(`${header.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    }
    blocks.push(header, content, Buffer.alloc(padding(content.length)));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  const file = path.join(tmp, name);
  writeFileSync(file, gzipSync(truncate > 0 ? tar.subarray(0, tar.length - truncate) : tar));
  return file;
}

const longName = `pkg/${'deep/'.repeat(20)}${'n'.repeat(90)}.jsonl`;

describe('tar.gz writer and reader', () => {
  test('GNU tar lists and extracts what the writer wrote, byte for byte, long paths included', async () => {
    const file = path.join(tmp, 'ours.tar.gz');
    const writer = new TarGzWriter(file, 1_800_000_000);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    writeFileSync(path.join(tmp, 'big.bin'), big);
    await writer.addBuffer('pkg/curtain-package.json', Buffer.from('{"a":1}\n'));
    await writer.addFile('pkg/run/big.bin', path.join(tmp, 'big.bin'), big.length);
    await writer.addBuffer(longName, Buffer.from('long\n'));
    await writer.addBuffer('pkg/empty', Buffer.alloc(0));
    await writer.finish();
    expect(existsSync(`${file}.part`)).toBe(false);
    const listed = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual(['pkg/curtain-package.json', 'pkg/run/big.bin', longName, 'pkg/empty']);
    const out = path.join(tmp, 'gnu-extract');
    mkdirSync(out);
    expect(spawnSync('tar', ['-xzf', file, '-C', out]).status).toBe(0);
    expect(readFileSync(path.join(out, 'pkg/run/big.bin')).equals(big)).toBe(true);
    expect(readFileSync(path.join(out, longName), 'utf8')).toBe('long\n');
    expect((await entries(file)).map((e) => e.path)).toEqual(['pkg/curtain-package.json', 'pkg/run/big.bin', longName, 'pkg/empty']);
  });

  test('the reader reads an archive GNU tar wrote in ustar format', async () => {
    const src = path.join(tmp, 'gnu-src');
    mkdirSync(path.join(src, 'pkg', 'steps'), { recursive: true });
    writeFileSync(path.join(src, 'pkg', 'steps', '000.jsonl'), '{"ok":true}\n');
    writeFileSync(path.join(src, 'pkg', 'plan.json'), '{}');
    const file = path.join(tmp, 'gnu.tar.gz');
    expect(spawnSync('tar', ['--format=ustar', '-czf', file, '-C', src, 'pkg']).status).toBe(0);
    expect((await entries(file)).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'pkg/plan.json', text: '{}' },
      { path: 'pkg/steps/000.jsonl', text: '{"ok":true}\n' },
    ]);
  });

  test.each([
    ['a symbolic link', [{ path: 'pkg/evil', flag: '2' }], /a symbolic link/],
    ['a hard link', [{ path: 'pkg/evil', flag: '1' }], /a hard link/],
    ['a FIFO', [{ path: 'pkg/evil', flag: '6' }], /a FIFO/],
    ['a pax header', [{ path: 'pkg/evil', flag: 'x' }], /pax extended header/],
    ['a parent segment', [{ path: 'pkg/../../etc/evil', content: 'x' }], /"\.\." segment/],
    ['an absolute path', [{ path: '/etc/evil', content: 'x' }], /is absolute/],
    ['a second top directory', [{ path: 'pkg/a', content: 'x' }, { path: 'other/b', content: 'y' }], /outside the package's top directory/],
    ['a control character', [{ path: 'pkg/a\nb', content: 'x' }], /control character/],
  ])('%s is refused', async (_what, items, message) => {
    await expect(entries(rawArchive(`bad-${_what.replace(/\W/g, '')}.tar.gz`, items))).rejects.toThrow(message);
  });

  test('sizes, entry counts, truncation and non-gzip input are bounded and named', async () => {
    const file = rawArchive('sizes.tar.gz', [{ path: 'pkg/a', content: 'x'.repeat(2000) }, { path: 'pkg/b', content: 'y' }]);
    await expect(entries(file, { maxFileBytes: 1000, maxTotalBytes: 1e9, maxEntries: 10 })).rejects.toThrow(/pkg\/a is 2000 bytes, more than the limit of 1000/);
    await expect(entries(file, { maxFileBytes: 1e9, maxTotalBytes: 1500, maxEntries: 10 })).rejects.toThrow(/more than 1500 bytes/);
    await expect(entries(file, { maxFileBytes: 1e9, maxTotalBytes: 1e9, maxEntries: 1 })).rejects.toThrow(/more than 1 entries/);
    await expect(entries(rawArchive('cut.tar.gz', [{ path: 'pkg/a', content: 'x'.repeat(2000) }], 1024 + 600))).rejects.toThrow(/truncated/);
    writeFileSync(path.join(tmp, 'plain.tar.gz'), 'not gzip at all');
    await expect(entries(path.join(tmp, 'plain.tar.gz'))).rejects.toThrow(/not a gzip-compressed archive/);
  });

  test('an unpack that meets a hostile entry leaves nothing behind and writes nothing outside', async () => {
    const outside = path.join(tmp, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(tmp, 'link-to-outside'));
    const sha = 'a'.repeat(64);
    const manifest = {
      format: 'curtain-replication-package', v: 1, createdAt: '2026-12-06T00:00:00.000Z',
      packedBy: { version: '0.1.0', sourceSha256: sha, files: 1, git: null },
      study: 'coldstart', run: 'r1', provider: 'local', region: 'local', hosting: 'emulated', planHash: sha, status: 'completed',
      definition: { kind: 'catalog', name: 'coldstart', file: null, resolved: null, definitionHash: sha },
      origin: null, bundles: [], templates: [], notes: [],
      files: [{ path: 'run/plan.json', bytes: 1, sha256: sha }],
    };
    const file = rawArchive('hostile.tar.gz', [
      { path: 'pkg/curtain-package.json', content: JSON.stringify(manifest) },
      { path: 'pkg/run/plan.json', content: 'x' },
      { path: 'pkg/../link-to-outside/pwned', content: 'x' },
    ]);
    const target = path.join(tmp, 'unpacked');
    await expect(unpackPackage(file, target)).rejects.toThrow(/"\.\." segment/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith('unpacked'))).toEqual([]);
    expect(readdirSync(outside)).toEqual([]);
  });
});
