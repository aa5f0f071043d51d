import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/core/errors.js';
import { LayerFormatError } from '../../src/fs-union/errors.js';
import { BLOCK, entryHeaderBlocks, paddedSize, paxHeaderBlocks } from '../../src/fs-union/host/tar-blocks.js';
import { readTarEntries } from '../../src/fs-union/tar-entries.js';

function file(name: string, body: Buffer): Buffer {
  const header = entryHeaderBlocks({ name, type: '0', mode: 0o640, uid: 1, gid: 2, mtime: 1_700_000_000, size: body.length });
  return Buffer.concat([header, body, Buffer.alloc(paddedSize(body.length) - body.length)]);
}

const END = Buffer.alloc(2 * BLOCK);

/** The source in chunks of `size` bytes, so bodies and headers fall across chunk borders. */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(source: Readable): Promise<{ name: string; type: string; data: string }[]> {
  const out: { name: string; type: string; data: string }[] = [];
  for await (const { header, data } of readTarEntries(source)) out.push({ name: header.name, type: header.type, data: data.toString() });
  return out;
}

async function failure(source: Readable): Promise<unknown> {
  return collect(source).then(() => undefined, (e: unknown) => e);
}

describe('readTarEntries', () => {
  const big = Buffer.alloc(100_000, 'z');
  const tar = Buffer.concat([
    entryHeaderBlocks({ name: 'd/', type: '5', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0 }),
    file('d/a.txt', Buffer.from('hello')),
    file('d/big', big),
    entryHeaderBlocks({ name: 'd/l', type: '2', mode: 0o777, uid: 0, gid: 0, mtime: 0, size: 0, linkname: 'a.txt' }),
    END,
  ]);
  const expected = [
    { name: 'd/', type: 'directory', data: '' },
    { name: 'd/a.txt', type: 'file', data: 'hello' },
    { name: 'd/big', type: 'file', data: big.toString() },
    { name: 'd/l', type: 'symlink', data: '' },
  ];

  it('yields whole entries whatever the chunking, plain or gzip', async () => {
    for (const size of [1, 511, 512, 4096, tar.length]) expect(await collect(chunked(tar, size))).toEqual(expected);
    expect(await collect(chunked(gzipSync(tar), 1000))).toEqual(expected);
    expect(await collect(Readable.from([]))).toEqual([]);
  });

  it('keeps header fields', async () => {
    for await (const { header } of readTarEntries(Readable.from([file('f', Buffer.from('x'))]))) {
      expect(header).toMatchObject({ name: 'f', mode: 0o640, uid: 1, gid: 2, mtime: new Date(1_700_000_000_000) });
    }
  });

  it('refuses bytes that are not a tar, a cut archive and an oversized long header, by reason', async () => {
    expect(await failure(Readable.from([Buffer.from('not a tar at all '.repeat(64))]))).toMatchObject({ reason: 'bad-entry' });
    for (const cut of [100, BLOCK + 2, tar.length - 2 * BLOCK - 300]) {
      const e = await failure(chunked(tar.subarray(0, cut), 700));
      expect(e).toBeInstanceOf(LayerFormatError);
      expect(e).toMatchObject({ reason: 'truncated' });
    }
    const pax = paxHeaderBlocks([{ key: 'path', value: Buffer.alloc((1 << 20) + 10, 0x61) }]);
    expect(await failure(Readable.from([pax, file('f', Buffer.alloc(0)), END]))).toMatchObject({ reason: 'oversized-header' });
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    const entries = readTarEntries(chunked(tar, 512), { signal: controller.signal });
    await entries.next();
    controller.abort(new Error('stop'));
    await expect(entries.next()).rejects.toBeInstanceOf(AbortError);
  });
});
