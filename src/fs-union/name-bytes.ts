/**
 * File names as bytes. A Linux name is any byte string without `/` and NUL, and a tar carries
 * those bytes as they are (Docker keeps them: a name `a\xff` put with `docker cp` comes back
 * as `a\xff`). The union keeps names as JavaScript strings, and decoding bytes that are not
 * UTF-8 the usual way replaces them with U+FFFD, so `a\xff` and `a\xfe` would become the
 * same name.
 *
 * Names are decoded here as UTF-8 where the bytes are UTF-8, and each byte of anything else
 * becomes the lone surrogate U+DC80 + (byte - 0x80), as Python's `surrogateescape` does; encoding
 * turns those surrogates back into their bytes. The mapping is lossless and one-to-one on
 * names that came from bytes: UTF-8 never encodes a surrogate, so an escaped byte cannot be
 * mistaken for text, and every name keeps its exact bytes through the union and back out into
 * a tar. Names made of valid UTF-8 (all of them, in practice) decode exactly as before.
 *
 * @module
 */

const ESCAPE_BASE = 0xdc00;

/**
 * Length of the well-formed UTF-8 sequence at `i` (1-4), or 0 when the bytes there are not one
 * (overlong forms, surrogates and code points past U+10FFFF are not, as the UTF-8 spec says).
 */
function sequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf): boolean => i + k < end && bytes[i + k]! >= low && bytes[i + k]! <= high;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * Decodes name bytes `bytes[start, end)`: UTF-8 where they are UTF-8, every other byte as its
 * escape surrogate.
 *
 * @example
 * ```ts
 * decodeNameBytes(Buffer.from('caf\xc3\xa9', 'latin1')); // 'café'
 * decodeNameBytes(Buffer.from([0x61, 0xff]));            // 'a\udcff'
 * ```
 */
export function decodeNameBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The common case (every name of every layer goes through here): valid UTF-8 decodes as
  // Node decodes it, and only a decoding with U+FFFD in it needs a second look.
  const text = buf.toString('utf8', start, end);
  if (!text.includes('\ufffd')) return text;
  let out = '';
  let run = start;
  let i = start;
  while (i < end) {
    const n = sequenceLength(buf, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', run, i) + String.fromCharCode(ESCAPE_BASE + buf[i]!);
    i += 1;
    run = i;
  }
  return out + buf.toString('utf8', run, end);
}

/** True when `name` holds escaped bytes, so that `Buffer.from(name)` would not give its bytes. */
export function hasEscapedBytes(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHighSurrogate(name.charCodeAt(i - 1)))) return true;
  }
  return false;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * The bytes of a name: UTF-8, with escape surrogates turned back into their bytes (the inverse
 * of {@link decodeNameBytes}).
 */
export function encodeNameBytes(name: string): Buffer {
  if (!hasEscapedBytes(name)) return Buffer.from(name);
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHighSurrogate(name.charCodeAt(i - 1)))) {
      parts.push(Buffer.from(name.slice(run, i)), Buffer.of(c - ESCAPE_BASE));
      run = i + 1;
    }
  }
  parts.push(Buffer.from(name.slice(run)));
  return Buffer.concat(parts);
}
