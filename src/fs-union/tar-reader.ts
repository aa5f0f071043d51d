/**
 * Reading layer tars into layer parts.
 *
 * The bytes are parsed from raw blocks by {@link TarScanner} and hashed as they are fed to it,
 * so the diffID is known when the last entry is read, without a second pass. An in-memory tar
 * is fed in slices small enough to stay in the CPU cache between the two uses of its bytes:
 * the archive hash, then the parse and each file's own hash, so the bytes come from memory
 * once. Every entry goes through {@link LayerBuilder}, which applies the path rules; whiteout
 * names become whiteouts, AUFS metadata names are skipped.
 *
 * File bodies are copied exactly once, and only when their content is new to the store (a
 * body is hashed where it lies first). The copy is deliberate even where a zero-copy view of
 * the input would do: the input buffer belongs to the caller (who may reuse it, as pooled
 * stream chunks and the benchmark's tar are), and a view would pin the whole chunk (up to the
 * whole archive) for as long as one tiny file lives on in the store. Bodies that arrive split
 * across chunks are assembled into a buffer of their own, which the store then keeps as is.
 *
 * @module
 */
import { createHash, hash } from 'node:crypto';
import { AbortError, StowageError, abortErrorFrom, throwIfAborted } from '../core/errors.js';
import { LayerFormatError } from './errors.js';
import { cleanEntryName } from './paths.js';
import { parseWhiteoutName } from './whiteouts.js';
import { defaultContentStore, type ContentRef, type ContentStore } from './content-store.js';
import type { EntryOptions } from './entry.js';
import type { LayerParts } from './layer.js';
import { LayerBuilder } from './layer-builder.js';
import { TarScanner, type ScannedEntry } from './tar-scanner.js';

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

/**
 * Slice size for in-memory tars: small enough that a slice is still in the L2 cache when the
 * parser hashes the files in it right after the archive hash has read it.
 */
const SLICE = 256 * 1024;

/**
 * Parses an uncompressed layer tar.
 *
 * @throws LayerFormatError naming the entry (`path-escape`, `hardlink-escape`,
 *   `symlink-escape`, `bad-whiteout`, `bad-entry`, `truncated`); AbortError on `signal`;
 *   a StowageError raised by the source (a decoder's `UnsupportedError`) as it is
 */
export async function readLayerTar(source: TarSource, options: ReadLayerTarOptions = {}): Promise<ReadLayerTarResult> {
  const { signal } = options;
  throwIfAborted(signal);
  const store = options.store ?? defaultContentStore;
  const builder = new LayerBuilder({ store });
  const archiveHash = createHash('sha256');
  const arena = new BodyArena();
  const dates: DateCache = { seconds: NaN, date: new Date(0) };
  const scanner = new TarScanner((entry, data, start, end, owned) => addEntry(builder, store, arena, dates, entry, data, start, end, owned), {
    allocate: (size) => arena.take(size),
  });
  let bytes = 0;
  const feed = (chunk: Uint8Array): void => {
    archiveHash.update(chunk);
    bytes += chunk.length;
    scanner.push(chunk);
  };
  try {
    if (source instanceof Uint8Array) {
      for (let i = 0; i < source.length; i += SLICE) {
        throwIfAborted(signal);
        feed(source.subarray(i, i + SLICE));
      }
    } else {
      for await (const chunk of abortable(source as AsyncIterable<Uint8Array | string>, signal)) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        // Big chunks (a whole tar handed over as one) are fed in slices too, for the cache.
        for (let i = 0; i < bytes.length; i += SLICE) feed(i === 0 && bytes.length <= SLICE ? bytes : bytes.subarray(i, i + SLICE));
      }
    }
    scanner.end();
    throwIfAborted(signal);
    return { parts: builder.finish(), digest: `sha256:${archiveHash.digest('hex')}`, bytes };
  } catch (err) {
    if (err instanceof LayerFormatError || err instanceof AbortError) throw err;
    if (signal?.aborted) throw abortErrorFrom(signal);
    if (err instanceof StowageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new LayerFormatError('bad-entry', scanner.lastEntry, `unreadable archive after entry (${message})`, { cause: err });
  }
}

/**
 * Iterates a source, rejecting with AbortError as soon as `signal` fires even while the source
 * is waiting for data, and closing the source (destroying a stream) when the loop stops early.
 */
async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let aborted: Promise<never> | undefined;
  let onAbort: (() => void) | undefined;
  if (signal !== undefined) {
    aborted = new Promise<never>((_resolve, reject) => {
      onAbort = (): void => reject(abortErrorFrom(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    // Observed here so an abort after the last chunk is not reported as unhandled.
    aborted.catch(() => undefined);
  }
  let done = false;
  try {
    for (;;) {
      throwIfAborted(signal);
      const next = aborted === undefined ? await iterator.next() : await Promise.race([iterator.next(), aborted]);
      if (next.done === true) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
    if (!done) await iterator.return?.();
  }
}

/**
 * Entry metadata from a scanned header. Entries of one tar mostly share an mtime, and entries
 * never modify their Date, so consecutive equal mtimes share one object.
 */
function metaOf(entry: ScannedEntry, dates: DateCache): EntryOptions {
  if (dates.seconds !== entry.mtime) {
    dates.seconds = entry.mtime;
    dates.date = new Date(entry.mtime * 1000);
  }
  const meta: EntryOptions = { mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, mtime: dates.date };
  if (entry.xattrs !== undefined) meta.xattrs = entry.xattrs;
  return meta;
}

/** The last mtime seen and its Date. */
interface DateCache {
  seconds: number;
  date: Date;
}

/** Bodies up to this size share arena blocks; bigger ones get a buffer of their own. */
const ARENA_MAX_BODY = 64 * 1024;
/** Size of one arena block. */
const ARENA_BLOCK = 1024 * 1024;

/**
 * Packs the copies of small file bodies into 1 MiB blocks. One allocation per file costs more
 * than hashing it (each Buffer is an ArrayBuffer with its own backing store, which the garbage
 * collector tracks as external memory); packing makes it one per ~100 files. A block lives as
 * long as any file in it: it holds only file content of this layer, densely, so what a
 * surviving small file can pin is bounded by the block size, never by the input chunk or the
 * archive.
 */
class BodyArena {
  #block: Buffer = Buffer.allocUnsafeSlow(0);
  #used = 0;

  /** A buffer of `size` bytes for the caller to fill. */
  take(size: number): Buffer {
    if (size > ARENA_MAX_BODY) return Buffer.allocUnsafeSlow(size);
    if (this.#used + size > this.#block.length) {
      this.#block = Buffer.allocUnsafeSlow(ARENA_BLOCK);
      this.#used = 0;
    }
    const out = this.#block.subarray(this.#used, this.#used + size);
    this.#used += size;
    return out;
  }

  /** Returns the space of the last buffer taken, which the caller did not keep. */
  giveBack(buffer: Buffer): void {
    if (buffer.buffer === this.#block.buffer && buffer.byteOffset + buffer.length === this.#block.byteOffset + this.#used) {
      this.#used -= buffer.length;
    }
  }
}

/**
 * Interns a file body: hashed where it lies, and copied (into the arena) only when the store
 * does not have that content yet, so reading a layer whose content is already known (a re-read,
 * a second import) makes no transient copies. A body the scanner assembled is kept as is.
 */
function intern(store: ContentStore, arena: BodyArena, data: Buffer, start: number, end: number, owned: boolean): ContentRef {
  const body = owned ? data : data.subarray(start, end);
  const digest = `sha256:${hash('sha256', body, 'hex')}`;
  const existing = store.get(digest);
  if (existing !== undefined) {
    if (owned) arena.giveBack(body);
    return existing;
  }
  if (owned) return store.putHashed(digest, body);
  const copy = arena.take(body.length);
  body.copy(copy);
  return store.putHashed(digest, copy);
}

/** Adds one scanned tar entry to the builder, turning whiteout names into whiteouts. */
function addEntry(
  builder: LayerBuilder,
  store: ContentStore,
  arena: BodyArena,
  dates: DateCache,
  entry: ScannedEntry,
  data: Buffer,
  start: number,
  end: number,
  owned: boolean,
): void {
  const name = entry.name;
  const path = cleanEntryName(name);
  const whiteout = path === '' ? null : parseWhiteoutName(path, name);
  if (whiteout !== null) {
    if (whiteout.kind === 'whiteout') builder.addWhiteout(whiteout.target, name);
    else if (whiteout.kind === 'opaque') builder.addOpaque(whiteout.dir, name);
    return;
  }
  switch (entry.type) {
    case '0':
      builder.addFileContent(path, intern(store, arena, data, start, end, owned), metaOf(entry, dates), name);
      return;
    case '5':
      builder.addDirectory(path, metaOf(entry, dates), name);
      return;
    case '2':
      builder.addSymlink(path, entry.linkname, metaOf(entry, dates), name);
      return;
    case '1':
      builder.addHardlink(path, entry.linkname, metaOf(entry, dates), name);
      return;
    case '3':
    case '4':
      builder.addDevice(path, entry.type === '3' ? 'char' : 'block', { ...metaOf(entry, dates), major: entry.devMajor, minor: entry.devMinor }, name);
      return;
    case '6':
      builder.addDevice(path, 'fifo', metaOf(entry, dates), name);
      return;
    default:
      // Vendor extensions (sparse files, volume labels, ...) describe no file of the layer.
      return;
  }
}
