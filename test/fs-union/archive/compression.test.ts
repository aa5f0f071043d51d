import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decompressStream, detectCompression } from '../../../src/fs-union/compression.js';
import { UnsupportedError, InvalidArgumentError, AbortError } from '../../../src/core/errors.js';
import { readAll } from './fixtures.js';

const dir = mkdtempSync(join(existsShm() ? '/dev/shm' : tmpdir(), 'stowage-compress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function existsShm(): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8').includes(' /dev/shm ');
  } catch {
    return false;
  }
}

// Compressible but not trivial: repeated random blocks, ~600 KiB.
const block = randomBytes(4096).toString('hex');
const original = Buffer.from(Array.from({ length: 80 }, (_, i) => `${i}:${block}`).join('\n'));
writeFileSync(join(dir, 'data'), original);

/** Compresses with the system tool, as a user's file would have been made. */
function compressWith(tool: string): Buffer {
  return execFileSync(tool, ['-c', join(dir, 'data')], { maxBuffer: 64 << 20 });
}

/** Feeds a buffer in small chunks so that magic detection and decoders see split input. */
function chunked(data: Buffer, size = 1000): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  })());
}

describe('detectCompression', () => {
  it.each([
    ['gzip', 'gzip'],
    ['bzip2', 'bzip2'],
    ['xz', 'xz'],
    ['zstd', 'zstd'],
  ] as const)('recognises %s output by magic bytes', (tool, kind) => {
    expect(detectCompression(compressWith(tool).subarray(0, 6))).toBe(kind);
  });

  it('says none for a plain tar and for short input', () => {
    const tar = execFileSync('tar', ['-cf', '-', '-C', dir, 'data']);
    expect(detectCompression(tar)).toBe('none');
    expect(detectCompression(Buffer.from([0x1f]))).toBe('none');
  });
});

describe('decompressStream', () => {
  it.each(['gzip', 'bzip2', 'xz', 'zstd'])('decodes data made by the system %s', async (tool) => {
    const compressed = compressWith(tool);
    expect(compressed.length).toBeLessThan(original.length);
    const decoded = await readAll(decompressStream(chunked(compressed)));
    expect(decoded.equals(original)).toBe(true);
  });

  it('passes plain data through unchanged, including empty input', async () => {
    expect((await readAll(decompressStream(chunked(original, 3)))).equals(original)).toBe(true);
    expect((await readAll(decompressStream(Readable.from([])))).length).toBe(0);
  });

  it('decodes concatenated gzip members as one stream', async () => {
    const a = execFileSync('gzip', ['-c'], { input: 'first ' });
    const b = execFileSync('gzip', ['-c'], { input: 'second' });
    const decoded = await readAll(decompressStream(Readable.from([Buffer.concat([a, b])])));
    expect(decoded.toString()).toBe('first second');
  });

  it('refuses lz4 and compress with UnsupportedError', async () => {
    await expect(readAll(decompressStream(Readable.from([Buffer.from([0x04, 0x22, 0x4d, 0x18, 1, 2, 3])])))).rejects.toBeInstanceOf(UnsupportedError);
    await expect(readAll(decompressStream(Readable.from([Buffer.from([0x1f, 0x9d, 0x90, 1, 2, 3])])))).rejects.toBeInstanceOf(UnsupportedError);
  });

  it('reports corrupt gzip as InvalidArgumentError', async () => {
    const bad = Buffer.from(compressWith('gzip'));
    bad.fill(0x55, 20, 200);
    await expect(readAll(decompressStream(Readable.from([bad])))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('fails with AbortError when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(readAll(decompressStream(chunked(compressWith('gzip')), { signal: controller.signal }))).rejects.toBeInstanceOf(AbortError);
  });
});
