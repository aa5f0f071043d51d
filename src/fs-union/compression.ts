/**
 * Compression detection and decoding for imported tars and archive blobs.
 *
 * Formats are recognised by their magic bytes, never by file names, because `docker import`
 * and `docker load` accept any of them under any name. Node 20's zlib decodes gzip only (zstd
 * arrives in Node 22.15), so the others use small, maintained decoders:
 *
 * | format | decoder | streaming |
 * |---|---|---|
 * | gzip | `node:zlib` | yes |
 * | zstd | `fzstd` (pure JS) | yes |
 * | bzip2 | `seek-bzip` (pure JS) | no: the whole compressed input is collected first |
 * | xz | `@napi-rs/lzma/xz` (native, off the main thread) | no: the whole compressed input is collected first |
 *
 * The two non-streaming decoders hold the compressed input and the decoded output in memory at
 * once, so a bzip2 or xz archive needs roughly (compressed + uncompressed) bytes of RAM. Layer
 * blobs inside image archives are gzip or plain in practice; bzip2 and xz reach us only as whole
 * rootfs tars given to `import`.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { decompress as xzDecompress } from '@napi-rs/lzma/xz';
import { abortErrorFrom, InvalidArgumentError, StowageError, UnsupportedError } from '../core/errors.js';

/** A compression format {@link detectCompression} recognises. */
export type CompressionKind = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Options of {@link decompressStream}. */
export interface DecompressOptions {
  /** Aborts the decoding; the stream then fails with `AbortError`. */
  signal?: AbortSignal;
}

// seek-bzip ships CommonJS without types: describe the one function we call.
interface SeekBzip {
  decode(input: Buffer, output?: undefined, multistream?: boolean): Buffer;
}
const seekBzip = createRequire(import.meta.url)('seek-bzip') as SeekBzip;

/** Longest magic we compare against; {@link decompressStream} peeks this many bytes. */
const MAGIC_LENGTH = 6;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((b, i) => bytes[i] === b);
}

/**
 * Recognises a compression format from the first bytes of a stream (6 bytes are enough).
 *
 * @returns `'none'` for anything that is not gzip, bzip2, xz or zstd (a plain tar, or a format
 *   {@link decompressStream} refuses)
 * @example
 * ```ts
 * detectCompression(Buffer.from([0x1f, 0x8b, 8])); // 'gzip'
 * ```
 */
export function detectCompression(firstBytes: Uint8Array): CompressionKind {
  if (startsWith(firstBytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(firstBytes, [0x42, 0x5a, 0x68])) return 'bzip2'; // "BZh"
  if (startsWith(firstBytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(firstBytes, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return 'none';
}

/** Compressed formats we recognise but cannot decode, so they fail clearly instead of as "bad tar". */
function unsupportedFormat(firstBytes: Uint8Array): string | undefined {
  if (startsWith(firstBytes, [0x1f, 0x9d])) return 'compress (.Z)';
  if (startsWith(firstBytes, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (startsWith(firstBytes, [0x4c, 0x5a, 0x49, 0x50])) return 'lzip';
  if (startsWith(firstBytes, [0x89, 0x4c, 0x5a, 0x4f])) return 'lzop';
  return undefined;
}

/** A Transform over fzstd's streaming decoder. */
function createZstdDecoder(): Transform {
  let decoder: ZstdDecompress;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  // fzstd may hand out views of its window buffer, which it reuses: copy before pushing on.
  decoder = new ZstdDecompress((data) => {
    if (data.length > 0) transform.push(Buffer.from(data));
  });
  return transform;
}

async function collect(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/**
 * Decodes a possibly compressed stream, choosing the decoder from its magic bytes; plain input
 * passes through unchanged.
 *
 * Errors (corrupt data: `InvalidArgumentError`; lz4, compress, lzip, lzop: `UnsupportedError`;
 * abort: `AbortError`) are reported as the returned stream's `error` event. bzip2 and xz are
 * decoded in one piece after the whole input has been read (see the module notes on memory).
 *
 * @example
 * ```ts
 * const tar = decompressStream(createReadStream('rootfs.tar.zst'));
 * ```
 */
export function decompressStream(
  source: Readable | AsyncIterable<Uint8Array>,
  options: DecompressOptions = {},
): Readable {
  return Readable.from(decode(source, options.signal), { objectMode: false });
}

/** Pipes `input` through a decoder and yields what comes out, so errors surface in our iterator. */
async function* through(input: AsyncIterable<Buffer>, decoder: Transform, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const src = Readable.from(input);
  src.on('error', (error) => decoder.destroy(error));
  const onAbort = (): void => {
    decoder.destroy(abortErrorFrom(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    src.pipe(decoder);
    for await (const chunk of decoder) yield chunk as Buffer;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    src.destroy();
  }
}

async function* decode(source: Readable | AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  try {
    if (signal?.aborted) throw abortErrorFrom(signal);
    // Peek until the longest magic can be compared (or the input ends).
    const head: Buffer[] = [];
    let headLength = 0;
    let done = false;
    while (headLength < MAGIC_LENGTH) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      head.push(chunk);
      headLength += chunk.length;
    }
    // A single chunk (a whole in-memory tar arrives as one) is used as is: concatenating would
    // copy all of it just to look at six bytes.
    const first = head.length === 1 ? head[0]! : Buffer.concat(head);
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (first.length > 0) yield first;
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (signal?.aborted) throw abortErrorFrom(signal);
        yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      }
    };
    const unsupported = unsupportedFormat(first);
    if (unsupported !== undefined) {
      throw new UnsupportedError(`${unsupported} compression is not supported`, { details: { format: unsupported } });
    }
    const kind = detectCompression(first);
    try {
      switch (kind) {
        case 'none':
          yield* rest();
          return;
        case 'gzip':
          yield* through(rest(), createGunzip(), signal);
          return;
        case 'zstd':
          yield* through(rest(), createZstdDecoder(), signal);
          return;
        case 'bzip2':
          yield seekBzip.decode(await collect(rest(), signal), undefined, true);
          return;
        case 'xz':
          yield await xzDecompress(await collect(rest(), signal), signal);
          return;
      }
    } catch (error) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      if (error instanceof StowageError) throw error;
      throw new InvalidArgumentError(`cannot decode ${kind} data: ${(error as Error).message}`, {
        details: { format: kind },
        cause: error,
      });
    }
  } finally {
    await iterator.return?.();
  }
}
