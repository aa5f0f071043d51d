/**
 * Programmatic construction of layers, also used by the tar reader so both paths apply the
 * same rules: names cleaned as Docker cleans them, nothing placed through a symlink that climbs
 * out of the layer, hardlinks only to files of the same layer, later duplicates replacing
 * earlier entries.
 *
 * @module
 */
import { LayerFormatError } from './errors.js';
import { cleanEntryName, joinLayerPath, parentOf } from './paths.js';
import { opaqueMarkerPathFor, parseWhiteoutName, whiteoutPathFor } from './whiteouts.js';
import { ContentStore, defaultContentStore, type ContentRef } from './content-store.js';
import type { EntryOptions, LayerEntry } from './entry.js';
import { compareTarPaths, sortTarPaths } from './entry.js';
import { Layer, digestOfStream, type LayerParts, type LayerSignalOptions } from './layer.js';

/** Options of {@link LayerBuilder}. */
export interface LayerBuilderOptions {
  /** Where file content is interned (default: the process-wide store). */
  store?: ContentStore;
  /** Modification time of entries added without one (default: the epoch, for reproducibility). */
  mtime?: Date;
}

/** Options of {@link LayerBuilder.addDevice}. */
export interface DeviceOptions extends EntryOptions {
  /** Device major number (char/block). */
  major?: number;
  /** Device minor number (char/block). */
  minor?: number;
}

/** How many symlinks the builder follows when placing one entry before giving up. */
const MAX_LINK_HOPS = 40;

/**
 * Builds a {@link Layer} entry by entry.
 *
 * @example
 * ```ts
 * const layer = await new LayerBuilder()
 *   .addDirectory('/bin')
 *   .addFile('/bin/busybox', bytes, { mode: 0o755 })
 *   .addSymlink('/bin/sh', 'busybox')
 *   .addWhiteout('/etc/motd')
 *   .build();
 * ```
 */
export class LayerBuilder {
  readonly #store: ContentStore;
  readonly #mtime: Date;
  readonly #entries = new Map<string, LayerEntry>();
  readonly #children = new Map<string, Set<string>>();
  readonly #whiteouts = new Set<string>();
  readonly #opaques = new Set<string>();

  constructor(options: LayerBuilderOptions = {}) {
    this.#store = options.store ?? defaultContentStore;
    this.#mtime = options.mtime ?? new Date(0);
  }

  /** Adds (or replaces) a regular file; `data` is interned, so identical content is shared. */
  addFile(path: string, data: string | Uint8Array | ContentRef, options: EntryOptions = {}, entryName = path): this {
    const content = isContentRef(data) ? data : this.#store.put(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data));
    const p = this.#place(path, entryName);
    return this.#set({ type: 'file', path: p, content, ...this.#meta(options, 0o644) });
  }

  /** Adds file content that is already interned in this builder's store (no copy, no hash). */
  addFileContent(path: string, content: ContentRef, options: EntryOptions = {}, entryName = path): this {
    return this.addFile(path, content, options, entryName);
  }

  /** Adds (or replaces) a directory. */
  addDirectory(path: string, options: EntryOptions = {}, entryName = path): this {
    const p = this.#place(path, entryName, true);
    return this.#set({ type: 'directory', path: p, ...this.#meta(options, 0o755) });
  }

  /** Adds (or replaces) a symbolic link; `target` is stored as given. */
  addSymlink(path: string, target: string, options: EntryOptions = {}, entryName = path): this {
    const p = this.#place(path, entryName);
    return this.#set({ type: 'symlink', path: p, target, ...this.#meta(options, 0o777) });
  }

  /**
   * Adds a hard link to a regular file already added to this builder.
   *
   * @throws LayerFormatError (`hardlink-escape`) when the target climbs out of the root,
   *   (`bad-entry`) when it names no file of this layer
   */
  addHardlink(path: string, target: string, options: EntryOptions = {}, entryName = path): this {
    let cleaned: string;
    try {
      cleaned = cleanEntryName(target);
    } catch (err) {
      throw new LayerFormatError('hardlink-escape', entryName, 'hard link target climbs out of the layer root', { cause: err });
    }
    const resolved = this.#resolveParents(cleaned, entryName, 'hardlink-escape');
    const file = this.#fileAt(resolved);
    if (file === undefined) throw new LayerFormatError('bad-entry', entryName, 'hard link target is not a file of this layer');
    const p = this.#place(path, entryName);
    if (p === file) return this;
    const meta = this.#entries.get(file)!;
    return this.#set({
      type: 'hardlink',
      path: p,
      target: file,
      mode: options.mode ?? meta.mode,
      uid: options.uid ?? meta.uid,
      gid: options.gid ?? meta.gid,
      mtime: wholeSeconds(options.mtime ?? meta.mtime),
      xattrs: options.xattrs ?? meta.xattrs,
    });
  }

  /** Adds a character or block device or a fifo (metadata only). */
  addDevice(path: string, type: 'char' | 'block' | 'fifo', options: DeviceOptions = {}, entryName = path): this {
    const p = this.#place(path, entryName);
    const meta = this.#meta(options, type === 'fifo' ? 0o644 : 0o666);
    if (type === 'fifo') return this.#set({ type, path: p, ...meta });
    return this.#set({ type, path: p, devMajor: options.major ?? 0, devMinor: options.minor ?? 0, ...meta });
  }

  /** Hides `path` (and everything below it) of the layers below. Never hides this layer's own entries. */
  addWhiteout(path: string, entryName = path): this {
    const cleaned = cleanEntryName(path);
    if (cleaned === '') throw new LayerFormatError('bad-whiteout', entryName, 'whiteout names no entry of its directory');
    const target = this.#resolveParents(cleaned, entryName, 'symlink-escape');
    this.#whiteouts.add(target);
    this.#register(whiteoutPathFor(target));
    return this;
  }

  /** Marks directory `dir` opaque: its children in the layers below are hidden. */
  addOpaque(dir: string, entryName = dir): this {
    const cleaned = cleanEntryName(dir);
    const resolved = cleaned === '' ? '' : this.#resolveParents(cleaned, entryName, 'symlink-escape');
    this.#opaques.add(resolved);
    this.#register(opaqueMarkerPathFor(resolved));
    return this;
  }

  /**
   * Finishes the layer and computes its diffID from its canonical tar.
   *
   * @throws LayerFormatError when a hard link's target was later replaced by a non-file
   */
  async build(options: LayerSignalOptions = {}): Promise<Layer> {
    const parts = this.finish();
    // The digest needs the tar, and the tar needs a layer: write it from a provisional one.
    const provisional = new Layer(parts, '', true);
    const diffId = await digestOfStream(provisional.toTar(options), options.signal);
    return new Layer(parts, diffId, true);
  }

  /**
   * Returns the validated parts without computing a digest (the tar reader already has one).
   * Hard link groups are rewritten so the first path in canonical order holds the content and
   * the others link to it: a reader applying the tar in order always meets the file first.
   */
  finish(): LayerParts {
    const links = new Map<string, string[]>();
    for (const entry of this.#entries.values()) {
      if (entry.type !== 'hardlink') continue;
      const file = this.#entries.get(entry.target);
      if (file?.type !== 'file') throw new LayerFormatError('bad-entry', entry.path, 'hard link target is not a file of this layer');
      const group = links.get(entry.target) ?? [];
      group.push(entry.path);
      links.set(entry.target, group);
    }
    // Hard links are rare: only then is the map copied to be rewritten.
    const entries = links.size === 0 ? this.#entries : new Map(this.#entries);
    for (const [filePath, group] of links) {
      const file = entries.get(filePath) as Extract<LayerEntry, { type: 'file' }>;
      const members = [filePath, ...group];
      const primary = members.reduce((a, b) => (compareTarPaths(a, b) <= 0 ? a : b));
      // One inode: every member carries the file's metadata.
      const { path: _ignored, content, type: _type, ...meta } = file;
      for (const member of members) {
        if (member === primary) entries.set(member, { ...meta, type: 'file', path: member, content });
        else entries.set(member, { ...meta, type: 'hardlink', path: member, target: primary });
      }
    }
    const sorted = new Map<string, LayerEntry>();
    for (const path of sortTarPaths(entries.keys())) sorted.set(path, entries.get(path)!);
    return { entries: sorted, whiteouts: new Set(this.#whiteouts), opaques: new Set(this.#opaques) };
  }

  #meta(options: EntryOptions, defaultMode: number) {
    return {
      mode: (options.mode ?? defaultMode) & 0o7777,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      mtime: wholeSeconds(options.mtime ?? this.#mtime),
      xattrs: options.xattrs ?? NO_XATTRS,
    };
  }

  /** The file path a path names in this layer, following this layer's hard links. */
  #fileAt(path: string): string | undefined {
    const entry = this.#entries.get(path);
    if (entry?.type === 'file') return path;
    if (entry?.type === 'hardlink') return entry.target;
    return undefined;
  }

  /** Cleans a name, refuses whiteout names and resolves its parents through this layer's symlinks. */
  #place(path: string, entryName: string, allowRoot = false): string {
    const cleaned = cleanEntryName(path);
    if (cleaned === '' && !allowRoot) throw new LayerFormatError('bad-entry', entryName, 'only a directory may stand for the root');
    if (cleaned !== '' && parseWhiteoutName(cleaned, entryName) !== null) {
      throw new LayerFormatError('bad-whiteout', entryName, 'whiteout names are added with addWhiteout/addOpaque');
    }
    return cleaned === '' ? '' : this.#resolveParents(cleaned, entryName, 'symlink-escape');
  }

  /**
   * Rewrites a path whose parent directories include a symlink of this layer to the path it
   * really lands on, as an extractor following the link would. A link that climbs out of the
   * root (relative `..` past it) is refused: that is how CVE-2021-32803-style archives write
   * outside the target directory.
   */
  #resolveParents(path: string, entryName: string, reason: 'symlink-escape' | 'hardlink-escape'): string {
    // Fast path: a directory entry of this layer exists only while no ancestor of it is a
    // symlink or file of this layer (placing one drops everything below it), so a path whose
    // parent is such a directory lands where it says.
    const parent = parentOf(path);
    if (parent === '' || this.#entries.get(parent)?.type === 'directory') return path;
    let current = path;
    for (let hops = 0; ; hops++) {
      const parts = current.split('/');
      let rewritten: string | undefined;
      let prefix = '';
      for (let i = 0; i < parts.length - 1; i++) {
        prefix = joinLayerPath(prefix, parts[i]!);
        const entry = this.#entries.get(prefix);
        if (entry === undefined || entry.type === 'directory') continue;
        if (entry.type !== 'symlink') throw new LayerFormatError('bad-entry', entryName, 'entry lies below a non-directory of the same layer');
        const base = entry.target.startsWith('/') ? '' : parentOf(prefix);
        const target = foldUnder(base, entry.target);
        if (target === undefined) throw new LayerFormatError(reason, entryName, 'entry is written through a symlink that climbs out of the layer root');
        rewritten = [target, ...parts.slice(i + 1)].filter((s) => s !== '').join('/');
        break;
      }
      if (rewritten === undefined) return current;
      if (hops >= MAX_LINK_HOPS) throw new LayerFormatError(reason, entryName, 'too many symlinks while placing entry');
      current = rewritten;
    }
  }

  #set(entry: LayerEntry): this {
    // A non-directory replaces whatever stood below that path, even children listed before
    // their (implied) parent directory.
    if (entry.type !== 'directory') this.#dropBelow(entry.path);
    this.#entries.set(entry.path, entry);
    this.#register(entry.path);
    return this;
  }

  /**
   * Records a tar path (entry, whiteout or opaque marker) under its parents, implied ones
   * included, so a later non-directory over any ancestor can drop it without a scan.
   */
  #register(tarPath: string): void {
    for (let child = tarPath; child !== ''; child = parentOf(child)) {
      const dir = parentOf(child);
      const kids = this.#children.get(dir);
      if (kids === undefined) {
        this.#children.set(dir, new Set([child]));
        continue;
      }
      // `dir` already has children recorded, so it is recorded under its own parents too.
      kids.add(child);
      return;
    }
  }

  /** Forgets everything below `path`: a later non-directory entry replaced the directory. */
  #dropBelow(path: string): void {
    const kids = this.#children.get(path);
    if (kids === undefined) return;
    this.#children.delete(path);
    for (const kid of kids) {
      const marker = parseWhiteoutName(kid);
      if (marker?.kind === 'whiteout') this.#whiteouts.delete(marker.target);
      else if (marker?.kind === 'opaque') this.#opaques.delete(marker.dir);
      else {
        this.#entries.delete(kid);
        this.#dropBelow(kid);
      }
    }
  }
}

/**
 * Tars keep whole seconds: truncating here keeps a layer in memory identical to what its tar
 * says, so a commit looks the same before and after a trip through `toTar()`.
 */
function wholeSeconds(date: Date): Date {
  // Entries are immutable, so a Date that is already whole is shared rather than copied (one
  // object less per entry of a big layer).
  const time = date.getTime();
  return time % 1000 === 0 ? date : new Date(Math.floor(time / 1000) * 1000);
}

/** The xattrs of every entry that has none: shared, so frozen. */
const NO_XATTRS: Readonly<Record<string, Buffer>> = Object.freeze({});

/** Lexically folds `target` onto directory `base`; undefined when `..` climbs above the root. */
function foldUnder(base: string, target: string): string | undefined {
  const out = base === '' ? [] : base.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function isContentRef(value: unknown): value is ContentRef {
  return typeof value === 'object' && value !== null && 'digest' in value && 'data' in value && 'size' in value;
}

