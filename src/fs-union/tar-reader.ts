/**
 * Reading layer tars on tar-stream's extractor.
 *
 * The bytes are hashed as they are fed to the parser, so the diffID is known when the last
 * entry is read, without a second pass. Every entry goes through {@link LayerBuilder}, which
 * applies the path rules; whiteout names become whiteouts, AUFS metadata names are skipped.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import tarStream from 'tar-stream';
import type { Header } from 'tar-stream';
import { AbortError, abortErrorFrom, throwIfAborted } from '../core/errors.js';
import { LayerFormatError } from './errors.js';
import { cleanEntryName } from './paths.js';
import { parseWhiteoutName } from './whiteouts.js';
import { defaultContentStore, type ContentStore } from './content-store.js';
import type { EntryOptions } from './entry.js';
import type { LayerParts } from './layer.js';
import { LayerBuilder } from './layer-builder.js';

/** Anything a tar can be read from: a stream, an async iterable of chunks, or the bytes. */
export type TarSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Uint8Array;

/** Options of {@link readLayerTar}. */
export interface ReadLayerTarOptions {
  /** Aborts reading. */
  signal?: AbortSignal;
  /** Where file content is interned (default: the process-wide store). */
  store?: ContentStore;
}

/** What {@link readLayerTar} returns. */
export interface ReadLayerTarResult {
  /** The validated layer contents. */
  parts: LayerParts;
  /** `sha256:` of the exact bytes read. */
  digest: string;
  /** Number of bytes read. */
  bytes: number;
}

/** Feeds big in-memory tars in slices so the parser and hash interleave with other work. */
const SLICE = 1 << 20;

async function* chunksOf(source: TarSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += SLICE) yield source.subarray(i, i + SLICE);
    return;
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

/**
 * Entry metadata from a tar header (xattrs from `SCHILY.xattr.*` PAX records). tar-stream hands
 * PAX values over as UTF-8 text, so an xattr whose value is not valid UTF-8 (a binary
 * `security.capability`) does not survive byte for byte; textual values do.
 */
function metaOf(header: Header): EntryOptions {
  const xattrs: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries((header.pax ?? {}) as Record<string, string>)) {
    if (key.startsWith('SCHILY.xattr.')) xattrs[key.slice('SCHILY.xattr.'.length)] = Buffer.from(value, 'utf8');
  }
  return {
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    mtime: header.mtime ?? new Date(0),
    xattrs,
  };
}

/**
 * Parses an uncompressed layer tar.
 *
 * @throws LayerFormatError naming the entry (`path-escape`, `hardlink-escape`,
 *   `symlink-escape`, `bad-whiteout`, `bad-entry`, `truncated`); AbortError on `signal`
 */
export async function readLayerTar(source: TarSource, options: ReadLayerTarOptions = {}): Promise<ReadLayerTarResult> {
  const { signal } = options;
  throwIfAborted(signal);
  const builder = new LayerBuilder({ store: options.store ?? defaultContentStore });
  const hash = createHash('sha256');
  const slab = new BodySlab();
  const extract = tarStream.extract();
  let bytes = 0;
  let lastEntry = '<archive start>';
  let stopped = false;

  // The feeder hashes exactly the bytes handed to the parser and honours its backpressure.
  const feed = (async () => {
    try {
      for await (const chunk of chunksOf(source)) {
        if (stopped) return;
        throwIfAborted(signal);
        hash.update(chunk);
        bytes += chunk.length;
        if (!extract.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
          });
        }
      }
      if (!stopped) extract.end(null);
    } catch (err) {
      extract.destroy(err as Error);
    }
  })();

  const onAbort = (): void => {
    extract.destroy(abortErrorFrom(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of extract) {
      const header = entry.header;
      lastEntry = header.name;
      const stream = entry as unknown as AsyncIterable<Uint8Array>;
      const isFile = header.type === 'file' || header.type === 'contiguous-file';
      const body = isFile ? await readBody(stream, header.size ?? 0, slab) : (await skipBody(stream), undefined);
      addEntry(builder, header, body);
    }
    await feed;
    throwIfAborted(signal);
    return { parts: builder.finish(), digest: `sha256:${hash.digest('hex')}`, bytes };
  } catch (err) {
    stopped = true;
    extract.destroy(null);
    if (err instanceof LayerFormatError || err instanceof AbortError) throw err;
    if (signal?.aborted) throw abortErrorFrom(signal);
    const message = err instanceof Error ? err.message : String(err);
    if (/unexpected end/i.test(message)) throw new LayerFormatError('truncated', lastEntry, 'archive is truncated after entry', { cause: err });
    throw new LayerFormatError('bad-entry', lastEntry, `unreadable archive after entry (${message})`, { cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Size of the slabs small file bodies are copied into. */
const SLAB_SIZE = 4 * 1024 * 1024;

/**
 * Hands out copies of file bodies packed into shared slabs: tens of thousands of small
 * allocations would otherwise dominate import time in allocation and garbage collection.
 * A slab lives as long as any file in it; that is the lifetime of the layer, which is fine.
 */
class BodySlab {
  #slab: Buffer = Buffer.allocUnsafeSlow(0);
  #used = 0;

  /** A buffer of `size` bytes the caller fills completely. */
  take(size: number): Buffer {
    if (size > SLAB_SIZE / 8) return Buffer.allocUnsafeSlow(size);
    if (this.#used + size > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#used = 0;
    }
    const out = this.#slab.subarray(this.#used, this.#used + size);
    this.#used += size;
    return out;
  }
}

/** Collects an entry's body as a copy (chunks may be views into the caller's buffer). */
async function readBody(entry: AsyncIterable<Uint8Array>, size: number, slab: BodySlab): Promise<Buffer> {
  const out = slab.take(size);
  let offset = 0;
  for await (const chunk of entry) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== size) throw new Error('Unexpected end of data');
  return out;
}

/** Drains an entry whose body the layer does not keep. */
async function skipBody(entry: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of entry) {
    // Nothing to keep: directories, links and devices carry no content.
  }
}

/** Adds one parsed tar entry to the builder, turning whiteout names into whiteouts. */
function addEntry(builder: LayerBuilder, header: Header, body: Buffer | undefined): void {
  const name = header.name;
  const path = cleanEntryName(name);
  const whiteout = path === '' ? null : parseWhiteoutName(path, name);
  if (whiteout !== null) {
    if (whiteout.kind === 'whiteout') builder.addWhiteout(whiteout.target, name);
    else if (whiteout.kind === 'opaque') builder.addOpaque(whiteout.dir, name);
    return;
  }
  const meta = metaOf(header);
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      builder.addFile(path, body ?? Buffer.alloc(0), meta, name);
      return;
    case 'directory':
      builder.addDirectory(path, meta, name);
      return;
    case 'symlink':
      builder.addSymlink(path, header.linkname ?? '', meta, name);
      return;
    case 'link':
      builder.addHardlink(path, header.linkname ?? '', meta, name);
      return;
    case 'character-device':
    case 'block-device':
      builder.addDevice(path, header.type === 'character-device' ? 'char' : 'block', {
        ...meta,
        major: header.devmajor ?? 0,
        minor: header.devminor ?? 0,
      }, name);
      return;
    case 'fifo':
      builder.addDevice(path, 'fifo', meta, name);
      return;
    default:
      // Global PAX headers and vendor extensions describe no file of the layer.
      return;
  }
}
