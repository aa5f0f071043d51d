/**
 * Immutable layers: a set of entries plus the whiteouts and opaque directories that hide what
 * lies below, identified by a diffID.
 *
 * How `diffId` is defined: a layer built in memory ({@link LayerBuilder}, `UnionFS.commit()`)
 * has `diffId = sha256(toTar())`, and `canonical` is true. A layer read with
 * {@link Layer.fromTar} keeps the digest of the exact bytes it was read from (that is the
 * identity registries and image configs use) and has `canonical` false: a foreign tar may order
 * or encode its headers differently from `toTar()`, whose digest `canonicalDiffId()` computes.
 * Because `toTar()` is deterministic and keeps everything a layer holds,
 * `Layer.fromTar(layer.toTar())` has `diffId === await layer.canonicalDiffId()`, and writing it
 * again gives the same bytes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { throwIfAborted } from '../core/errors.js';
import { EMPTY_LAYER_DIFF_ID } from './digest.js';
import type { LayerEntry } from './entry.js';
import { sortTarPaths } from './entry.js';
import { opaqueMarkerPathFor, whiteoutPathFor } from './whiteouts.js';
import { packTar, type TarRecord } from './tar-writer.js';
import { readLayerTar, type TarSource } from './tar-reader.js';
import type { ContentStore } from './content-store.js';

/** What a layer is made of; produced by {@link LayerBuilder} and the tar reader. */
export interface LayerParts {
  /** Entries keyed by root-relative path, in canonical order, hardlinks pointing at files. */
  readonly entries: ReadonlyMap<string, LayerEntry>;
  /** Paths hidden in lower layers (the targets, not the `.wh.` names). */
  readonly whiteouts: ReadonlySet<string>;
  /** Directories whose lower children are hidden. */
  readonly opaques: ReadonlySet<string>;
}

/** Options of {@link Layer.fromTar}. */
export interface LayerFromTarOptions {
  /** Aborts reading; the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Where file content is interned (default: the process-wide store). */
  store?: ContentStore;
}

/** Options of operations that only need a signal. */
export interface LayerSignalOptions {
  /** Aborts the operation; it rejects with `AbortError`. */
  signal?: AbortSignal;
}

let nextLayerSerial = 1;

/**
 * An immutable layer. Create one with {@link Layer.fromTar}, {@link LayerBuilder} or
 * `UnionFS.commit()`; {@link Layer.empty} is the layer with nothing in it.
 *
 * @example
 * ```ts
 * const layer = await Layer.fromTar(fs.createReadStream('layer.tar'));
 * layer.diffId;              // 'sha256:...' of the bytes read
 * layer.toTar().pipe(out);   // deterministic bytes
 * ```
 */
export class Layer {
  /** The layer's diffID (see the module notes for how it relates to `toTar()`). */
  readonly diffId: string;
  /** True when `diffId` is known to equal `sha256(toTar())`. */
  readonly canonical: boolean;
  /** Total bytes of file content (each hardlinked file counted once). */
  readonly size: number;
  /** A process-unique number, used to key caches of layer stacks. */
  readonly serial: number;
  readonly #entries: ReadonlyMap<string, LayerEntry>;
  readonly #whiteouts: ReadonlySet<string>;
  readonly #opaques: ReadonlySet<string>;

  /** Use {@link LayerBuilder} or {@link Layer.fromTar}; this assembles already-checked parts. */
  constructor(parts: LayerParts, diffId: string, canonical: boolean) {
    this.#entries = parts.entries;
    this.#whiteouts = parts.whiteouts;
    this.#opaques = parts.opaques;
    this.diffId = diffId;
    this.canonical = canonical;
    this.serial = nextLayerSerial++;
    let size = 0;
    for (const entry of parts.entries.values()) if (entry.type === 'file') size += entry.content.size;
    this.size = size;
  }

  static #empty: Layer | undefined;

  /** The layer with no entries; its diffId is {@link EMPTY_LAYER_DIFF_ID}. */
  static get empty(): Layer {
    Layer.#empty ??= new Layer({ entries: new Map(), whiteouts: new Set(), opaques: new Set() }, EMPTY_LAYER_DIFF_ID, true);
    return Layer.#empty;
  }

  /**
   * Reads a layer tar (uncompressed), validating names, whiteouts and links, and computing the
   * diffID of the bytes read while streaming.
   *
   * @throws LayerFormatError naming the offending entry; AbortError when `signal` fires
   */
  static async fromTar(source: TarSource, options: LayerFromTarOptions = {}): Promise<Layer> {
    const { parts, digest } = await readLayerTar(source, options);
    return new Layer(parts, digest, false);
  }

  /** Number of entries (whiteouts and opaque markers not included). */
  get entryCount(): number {
    return this.#entries.size;
  }

  /** The entries, in canonical order (parents before children). */
  entries(): IterableIterator<LayerEntry> {
    return this.#entries.values();
  }

  /** The entry at a root-relative path. */
  get(path: string): LayerEntry | undefined {
    return this.#entries.get(path);
  }

  /** Paths this layer hides in the layers below it. */
  whiteouts(): IterableIterator<string> {
    return this.#whiteouts.values();
  }

  /** Directories this layer makes opaque. */
  opaqueDirs(): IterableIterator<string> {
    return this.#opaques.values();
  }

  /** True when this layer hides `path` of the layers below (exactly that path). */
  hasWhiteout(path: string): boolean {
    return this.#whiteouts.has(path);
  }

  /** True when this layer marks `dir` opaque. */
  isOpaque(dir: string): boolean {
    return this.#opaques.has(dir);
  }

  /**
   * The layer as a tar: entries in canonical order, each directory's whiteouts before its other
   * children, PAX headers for long names and xattrs. The same layer always gives the same bytes.
   */
  toTar(options: LayerSignalOptions = {}): Readable {
    return packTar(this.#records(), options);
  }

  /** sha256 of `toTar()`; equals `diffId` for canonical layers without reading anything. */
  async canonicalDiffId(options: LayerSignalOptions = {}): Promise<string> {
    if (this.canonical) return this.diffId;
    return digestOfStream(this.toTar(options), options.signal);
  }

  /**
   * This layer with `diffId = sha256(toTar())` and `canonical` true: itself when that already
   * holds, otherwise a layer with the same entries (shared, content included: nothing is copied
   * or re-read) and the canonical digest. Equivalent to `Layer.fromTar(layer.toTar())`, which
   * reads back exactly these entries, at the cost of one pass of `toTar()` through sha256.
   */
  async toCanonical(options: LayerSignalOptions = {}): Promise<Layer> {
    if (this.canonical) return this;
    const digest = await digestOfStream(this.toTar(options), options.signal);
    return new Layer({ entries: this.#entries, whiteouts: this.#whiteouts, opaques: this.#opaques }, digest, true);
  }

  *#records(): Generator<TarRecord> {
    const byTarPath = new Map<string, TarRecord>();
    for (const entry of this.#entries.values()) byTarPath.set(entry.path, recordOf(entry));
    for (const target of this.#whiteouts) {
      const name = whiteoutPathFor(target);
      byTarPath.set(name, markerRecord(name));
    }
    for (const dir of this.#opaques) {
      const name = opaqueMarkerPathFor(dir);
      byTarPath.set(name, markerRecord(name));
    }
    for (const path of sortTarPaths(byTarPath.keys())) yield byTarPath.get(path)!;
  }
}

/** The fixed header of a whiteout or opaque marker file. */
function markerRecord(name: string): TarRecord {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) };
}

/** The tar record of one layer entry. */
export function recordOf(entry: LayerEntry, name = entry.path): TarRecord {
  const base = { name, mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime, xattrs: entry.xattrs };
  switch (entry.type) {
    case 'file':
      return { ...base, type: 'file', data: entry.content.data };
    case 'directory':
      return { ...base, type: 'directory' };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: entry.target };
    case 'hardlink':
      return { ...base, type: 'link', linkname: entry.target };
    case 'char':
    case 'block':
      return { ...base, type: entry.type, devMajor: entry.devMajor, devMinor: entry.devMinor };
    case 'fifo':
      return { ...base, type: 'fifo' };
  }
}

/** sha256 digest of everything a stream yields. */
export async function digestOfStream(stream: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) {
    throwIfAborted(signal);
    hash.update(chunk);
  }
  return `sha256:${hash.digest('hex')}`;
}
