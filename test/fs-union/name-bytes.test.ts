import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNameBytes, encodeNameBytes, hasEscapedBytes } from '../../src/fs-union/name-bytes.js';
import { parseHeader, entryHeaderBlocks, BLOCK } from '../../src/fs-union/host/tar-blocks.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);

describe('name bytes', () => {
  it('decodes UTF-8 as UTF-8 and every other byte to its own escape', () => {
    expect(decodeNameBytes(Buffer.from('café/日本/🙂'))).toBe('café/日本/🙂');
    expect(decodeNameBytes(bytes(0x61, 0xff))).toBe('a\udcff');
    expect(decodeNameBytes(bytes(0x61, 0xfe))).toBe('a\udcfe');
    // An encoded surrogate (ED A0 80) and an overlong slash (C0 AF) are not UTF-8: byte by byte.
    expect(decodeNameBytes(bytes(0xed, 0xa0, 0x80))).toBe('\udced\udca0\udc80');
    expect(decodeNameBytes(bytes(0xc0, 0xaf))).toBe('\udcc0\udcaf');
    // A truncated sequence before valid text.
    expect(decodeNameBytes(bytes(0xe2, 0x82, 0x41))).toBe('\udce2\udc82A');
    expect(decodeNameBytes(bytes(0x78, 0x61, 0xff, 0x62), 1, 3)).toBe('a\udcff');
  });

  it('encodes escapes back to their bytes and leaves proper text alone', () => {
    expect(encodeNameBytes('a\udcff')).toEqual(bytes(0x61, 0xff));
    expect(encodeNameBytes('café')).toEqual(Buffer.from('café'));
    expect(hasEscapedBytes('a\udcff')).toBe(true);
    expect(hasEscapedBytes('🙂')).toBe(false);
  });

  it('round-trips any byte string, so distinct byte names stay distinct names', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const da = decodeNameBytes(a);
        expect(encodeNameBytes(da)).toEqual(Buffer.from(a));
        if (!Buffer.from(a).equals(Buffer.from(b))) expect(decodeNameBytes(b)).not.toBe(da);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads well-formed text exactly as UTF-8 does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        expect(decodeNameBytes(Buffer.from(s))).toBe(s);
        expect(encodeNameBytes(s)).toEqual(Buffer.from(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('entry headers carry the bytes, short names in ustar and long ones in PAX', () => {
    const short = decodeNameBytes(bytes(0x61, 0xff));
    const block = entryHeaderBlocks({ name: short, type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 0 });
    expect(block.subarray(0, 3)).toEqual(bytes(0x61, 0xff, 0));
    expect(parseHeader(block, decodeNameBytes).name).toBe(short);
    const long = decodeNameBytes(Buffer.concat([Buffer.alloc(120, 0x62), bytes(0xfe)]));
    const blocks = entryHeaderBlocks({ name: long, type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 0 });
    expect(blocks.length).toBe(3 * BLOCK);
    expect(blocks.includes(Buffer.concat([Buffer.from(' path='), Buffer.alloc(120, 0x62), bytes(0xfe, 0x0a)]))).toBe(true);
  });
});
