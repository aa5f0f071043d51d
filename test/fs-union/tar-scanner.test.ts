/**
 * The raw-block tar reader: it must read what tar-stream reads (whatever the chunking), keep
 * PAX values as bytes, honour GNU long names and PAX numbers, and copy file bodies once without
 * pinning the caller's buffer.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import tarStream from 'tar-stream';
import {
  ContentStore,
  Layer,
  LayerBuilder,
  LayerFormatError,
  compareTarPaths,
  readAll,
  sha256Digest,
  sortTarPaths,
} from '../../src/fs-union/index.js';
import { TarScanner, type ScannedEntry } from '../../src/fs-union/tar-scanner.js';
import { BLOCK, entryHeaderBlocks, paddedSize, paxHeaderBlocks, type TarHeaderSpec } from '../../src/fs-union/host/tar-blocks.js';

const run = promisify(execFile);

/** A tar of hand-encoded entries (headers from tar-blocks, so PAX values can be raw bytes). */
function rawTar(entries: { spec: TarHeaderSpec; data?: Buffer }[], prefix: Buffer[] = []): Buffer {
  const parts: Buffer[] = [...prefix];
  for (const { spec, data } of entries) {
    parts.push(entryHeaderBlocks(spec));
    if (data !== undefined && data.length > 0) parts.push(data, Buffer.alloc(paddedSize(data.length) - data.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** Splits bytes at the given cut points (sorted, deduplicated). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

/** What tar-stream's extractor reports, in the shape the scanner reports it. */
async function referenceEntries(bytes: Buffer): Promise<string[]> {
  const out: string[] = [];
  const extract = tarStream.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const body = await readAll(entry as unknown as AsyncIterable<Uint8Array>);
      const type = { file: '0', link: '1', symlink: '2', 'character-device': '3', 'block-device': '4', directory: '5', fifo: '6' }[h.type as string];
      out.push(JSON.stringify([h.name, type, h.mode! & 0o7777, h.uid, h.gid, h.mtime!.getTime() / 1000, h.linkname ?? '', type === '0' ? body.toString('hex') : '']));
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

function scan(chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  const scanner = new TarScanner((e: ScannedEntry, data, start, end) => {
    out.push(JSON.stringify([e.name, e.type, e.mode, e.uid, e.gid, e.mtime, e.linkname, e.type === '0' ? data.subarray(start, end).toString('hex') : '']));
  });
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return out;
}

describe('TarScanner and the layer reader', () => {
  it('property: reads what tar-stream reads, however the bytes are chunked', async () => {
    const name = fc.array(fc.constantFrom('a', 'bb', 'dir', 'x'.repeat(60), 'é', 'ü.txt'), { minLength: 1, maxLength: 5 }).map((p) => p.join('/'));
    const entry = fc.record({
      name,
      type: fc.constantFrom('file', 'directory', 'symlink', 'link', 'fifo'),
      data: fc.uint8Array({ maxLength: 1500 }),
      linkname: fc.constantFrom('t', 'y'.repeat(130), '../up'),
      mode: fc.integer({ min: 0, max: 0o7777 }),
      uid: fc.integer({ min: 0, max: 70000 }),
      gid: fc.integer({ min: 0, max: 70000 }),
      mtime: fc.integer({ min: 0, max: 2_000_000_000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), async (entries, cuts) => {
        const pack = tarStream.pack();
        const collected = readAll(pack as unknown as AsyncIterable<Uint8Array>);
        for (const e of entries) {
          const header = {
            name: e.name,
            type: e.type as 'file',
            mode: e.mode || 0o100000,
            uid: e.uid,
            gid: e.gid,
            mtime: new Date(e.mtime * 1000),
            ...(e.type === 'symlink' || e.type === 'link' ? { linkname: e.linkname } : {}),
          };
          await new Promise<void>((resolve, reject) => {
            const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
            if (e.type === 'file') pack.entry(header, Buffer.from(e.data), cb);
            else pack.entry(header, cb);
          });
        }
        pack.finalize();
        const bytes = await collected;
        const expected = await referenceEntries(bytes);
        expect(scan(split(bytes, cuts))).toEqual(expected);
        expect(scan([bytes])).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps binary xattr values byte for byte, and toTar writes them back as bytes', async () => {
    // A capability blob: not valid UTF-8 (tar-stream would turn 0xff 0xfe 0x80 into U+FFFD).
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x20, 0x00, 0x00, 0x00, 0xc3, 0x28]);
    const text = Buffer.from('héllo');
    const tar = rawTar([
      { spec: { name: 'bin/', type: '5', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0, pax: [{ key: 'SCHILY.xattr.user.note', value: text }] } },
      {
        spec: { name: 'bin/ping', type: '0', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 3, pax: [{ key: 'SCHILY.xattr.security.capability', value: cap }] },
        data: Buffer.from('elf'),
      },
    ]);
    const layer = await Layer.fromTar(tar, { store: new ContentStore() });
    expect(layer.get('bin/ping')!.xattrs['security.capability']).toEqual(cap);
    expect(layer.get('bin')!.xattrs['user.note']).toEqual(text);

    const written = await readAll(layer.toTar());
    const again = await Layer.fromTar(written);
    expect(again.get('bin/ping')!.xattrs['security.capability']).toEqual(cap);
    expect(again.get('bin')!.xattrs['user.note']).toEqual(text);
    expect(again.diffId).toBe(await layer.canonicalDiffId());
    // Deterministic, and a second trip gives the same bytes.
    expect(sha256Digest(await readAll(again.toTar()))).toBe(again.diffId);
    // GNU tar sees the xattr on the entry (listed with the `*` marker).
    const dir = await mkdtemp(join(tmpdir(), 'stowage-scan-'));
    try {
      await writeFile(join(dir, 'l.tar'), written);
      const { stdout } = await run('tar', ['--xattrs', '--xattrs-include=*', '-tvf', join(dir, 'l.tar')]);
      expect(stdout).toMatch(/\*.*bin\/ping/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads GNU long names and link targets (tar --format=gnu)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-scan-'));
    try {
      const deep = join(dir, 'root', 'd'.repeat(80), 'e'.repeat(80));
      await mkdir(deep, { recursive: true });
      await writeFile(join(deep, 'f'.repeat(90)), 'long');
      await symlink('t'.repeat(150), join(deep, 'link'));
      await run('tar', ['--format=gnu', '-cf', join(dir, 'gnu.tar'), '-C', join(dir, 'root'), '.']);
      const layer = await Layer.fromTar(await readAll((await import('node:fs')).createReadStream(join(dir, 'gnu.tar'))));
      const base = `${'d'.repeat(80)}/${'e'.repeat(80)}`;
      expect(layer.get(`${base}/${'f'.repeat(90)}`)).toMatchObject({ type: 'file' });
      expect(layer.get(`${base}/link`)).toMatchObject({ type: 'symlink', target: 't'.repeat(150) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('honours PAX uid, gid and mtime, skips global headers, and reads old-style directories', async () => {
    const global = paxHeaderBlocks([{ key: 'comment', value: Buffer.from('made by hand') }]);
    global.write('g', 156, 1, 'latin1'); // turn the 'x' header into a global one
    // Fix the checksum after the change of typeflag.
    global.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += global[i]!;
    global.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    const tar = rawTar(
      [
        { spec: { name: 'big', type: '0', mode: 0o600, uid: 3_000_000, gid: 4_000_000, mtime: 1_700_000_000, size: 2 }, data: Buffer.from('hi') },
        { spec: { name: 'old/', type: '0', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0 } },
        { spec: { name: 'fractional', type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 5, size: 0, pax: [{ key: 'mtime', value: Buffer.from('1700000001.75') }] } },
      ],
      [global],
    );
    const layer = await Layer.fromTar(tar);
    expect(layer.get('big')).toMatchObject({ type: 'file', uid: 3_000_000, gid: 4_000_000, mode: 0o600 });
    expect(layer.get('big')!.mtime.getTime()).toBe(1_700_000_000_000);
    expect(layer.get('old')).toMatchObject({ type: 'directory' });
    expect(layer.get('fractional')!.mtime.getTime()).toBe(1_700_000_001_000);
    expect(layer.entryCount).toBe(3);
  });

  it('refuses bad checksums, oversized extended headers and archives cut anywhere', async () => {
    const tar = rawTar([
      { spec: { name: 'a', type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 700 }, data: Buffer.alloc(700, 7) },
      { spec: { name: 'b'.repeat(150), type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 1 }, data: Buffer.from('y') },
    ]);
    const corrupt = Buffer.from(tar);
    corrupt[10] = corrupt[10]! ^ 0xff;
    await expect(Layer.fromTar(corrupt)).rejects.toMatchObject({ reason: 'bad-entry' });
    const huge = Buffer.from(paxHeaderBlocks([{ key: 'comment', value: Buffer.alloc(10) }]).subarray(0, BLOCK));
    huge.write(`${(2 << 20).toString(8).padStart(11, '0')}\0`, 124, 12, 'latin1');
    huge.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += huge[i]!;
    huge.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    await expect(Layer.fromTar(Buffer.concat([huge, Buffer.alloc(BLOCK)]))).rejects.toMatchObject({ reason: 'oversized-header' });
    // Every cut inside an entry (header, PAX data, body or padding) is `truncated`; the end
    // marker itself is optional.
    const end = tar.length - 2 * BLOCK;
    for (let cut = 1; cut < end; cut += 97) {
      const err = await Layer.fromTar(tar.subarray(0, cut)).then(() => undefined, (e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(LayerFormatError);
      expect((err as LayerFormatError).reason).toBe('truncated');
    }
    expect((await Layer.fromTar(tar.subarray(0, end))).entryCount).toBe(2);
  });

  it('copies file bodies out of the input once, never keeping a view of it, and shares known content', async () => {
    const store = new ContentStore();
    const big = Buffer.alloc(300_000, 3);
    const layer = await new LayerBuilder({ store }).addFile('/small', 'tiny').addFile('/big', big).addFile('/again', 'tiny').build();
    const bytes = await readAll(layer.toTar());
    const input = Buffer.from(bytes); // the caller's buffer
    const read = await Layer.fromTar(input, { store: new ContentStore() });
    for (const path of ['small', 'big']) {
      const entry = read.get(path);
      if (entry?.type !== 'file') throw new Error(`${path} is not a file`);
      expect(entry.content.data.buffer).not.toBe(input.buffer);
      // A small file sits in an arena block, never in anything the size of the input.
      if (path === 'small') expect(entry.content.data.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
    }
    input.fill(0); // the caller reuses its buffer: the layer is unaffected
    expect((read.get('big') as { content: { data: Buffer } }).content.data).toEqual(big);
    // Reading content the store already has hands out the same reference.
    const again = await Layer.fromTar(bytes, { store });
    expect((again.get('big') as { content: unknown }).content).toBe((layer.get('big') as { content: unknown }).content);
    expect((again.get('small') as { content: unknown }).content).toBe((again.get('again') as { content: unknown }).content);
  });

  it('toCanonical shares the entries and gives the digest of toTar(), as a re-read would', async () => {
    const foreign = tarStream.pack();
    const collected = readAll(foreign as unknown as AsyncIterable<Uint8Array>);
    foreign.entry({ name: 'z', uname: 'someone', mtime: new Date(1_000_000) }, 'z');
    foreign.entry({ name: 'a/', type: 'directory', mtime: new Date(2_000_000) });
    foreign.entry({ name: 'a/.wh.gone', mtime: new Date(0) }, '');
    foreign.finalize();
    const read = await Layer.fromTar(await collected);
    expect(read.canonical).toBe(false);
    const canonical = await read.toCanonical();
    expect(canonical.canonical).toBe(true);
    expect(canonical.diffId).toBe(await read.canonicalDiffId());
    expect(canonical.diffId).toBe((await Layer.fromTar(read.toTar())).diffId);
    expect(canonical.get('z')).toBe(read.get('z'));
    expect([...canonical.whiteouts()]).toEqual(['a/gone']);
    expect(await canonical.toCanonical()).toBe(canonical);
  });

  it('property: sortTarPaths gives the canonical order of compareTarPaths', () => {
    const seg = fc.constantFrom('a', 'b', 'a.b', 'a-b', 'ab', 'a0', 'A', '.wh.a', '.wh.b', '.wh..wh..opq', 'z');
    const path = fc.array(seg, { maxLength: 4 }).map((p) => p.join('/'));
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 40 }), (paths) => {
        expect(sortTarPaths(paths)).toEqual([...paths].sort(compareTarPaths));
      }),
      { numRuns: 500 },
    );
  });
  it('a header claiming a huge body allocates only what arrives, then reports the truncation', () => {
    const claimed = 64 * 1024 ** 3; // 64 GiB, more than this machine could ever hold
    const header = entryHeaderBlocks({ name: 'huge', type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: claimed });
    const allocations: number[] = [];
    const scanner = new TarScanner(() => undefined, { allocate: (n) => (allocations.push(n), Buffer.allocUnsafe(n)) });
    scanner.push(header);
    scanner.push(Buffer.alloc(4096, 1));
    expect(allocations).toEqual([]);
    expect(() => scanner.end()).toThrow(LayerFormatError);
  });

  it('a large body split across chunks is assembled whole, from the caller\'s allocator', () => {
    const body = Buffer.alloc(65 * 1024 * 1024 + 3);
    for (let i = 0; i < body.length; i += 4093) body[i] = i % 251;
    const tar = rawTar([{ spec: { name: 'big', type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: body.length }, data: body }]);
    const allocations: number[] = [];
    const seen: { name: string; sha: string }[] = [];
    const scanner = new TarScanner(
      (entry, data, start, end) => seen.push({ name: entry.name, sha: sha256Digest(data.subarray(start, end)) }),
      { allocate: (n) => (allocations.push(n), Buffer.allocUnsafe(n)) },
    );
    for (let off = 0; off < tar.length; off += 1 << 20) scanner.push(tar.subarray(off, off + (1 << 20)));
    scanner.end();
    expect(seen).toEqual([{ name: 'big', sha: sha256Digest(body) }]);
    expect(allocations).toEqual([body.length]);
  });
});
