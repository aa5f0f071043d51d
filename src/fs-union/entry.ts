/**
 * The entries a {@link Layer} holds, and the canonical order they are written in.
 *
 * Paths are root-relative layer paths (see paths.ts): no leading `/`, `''` for the root.
 *
 * @module
 */
import type { ContentRef } from './content-store.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './whiteouts.js';

/** The kinds of entry a layer stores (`hardlink` only exists inside layers, never in a view). */
export type LayerEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** Metadata every entry carries. */
export interface EntryMetadata {
  /** Permission bits including setuid/setgid/sticky (`0o7777` mask). */
  readonly mode: number;
  /** Owner user ID. */
  readonly uid: number;
  /** Owner group ID. */
  readonly gid: number;
  /** Modification time (tars keep whole seconds). */
  readonly mtime: Date;
  /** Extended attributes (written as `SCHILY.xattr.*` PAX records). */
  readonly xattrs: Readonly<Record<string, Buffer>>;
}

/** Fields common to every layer entry. */
export interface EntryBase extends EntryMetadata {
  /** Root-relative path of the entry (`''` is the root directory). */
  readonly path: string;
}

/** A regular file; its bytes are shared through the content store. */
export interface FileEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'file';
  /** The file's bytes, by reference. */
  readonly content: ContentRef;
}

/** A directory. */
export interface DirectoryEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'directory';
}

/** A symbolic link; `target` is stored exactly as given. */
export interface SymlinkEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'symlink';
  /** The link's target text. */
  readonly target: string;
}

/** A hard link to a regular file of the same layer. */
export interface HardlinkEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'hardlink';
  /** Root-relative path of the file entry (of this layer) it links to. */
  readonly target: string;
}

/** A character or block device (metadata only). */
export interface DeviceEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'char' | 'block';
  /** Device major number. */
  readonly devMajor: number;
  /** Device minor number. */
  readonly devMinor: number;
}

/** A named pipe (metadata only). */
export interface FifoEntry extends EntryBase {
  /** Discriminant. */
  readonly type: 'fifo';
}

/** Any entry a layer can hold. */
export type LayerEntry = FileEntry | DirectoryEntry | SymlinkEntry | HardlinkEntry | DeviceEntry | FifoEntry;

/** The metadata fields callers may set when adding an entry (defaults fill the rest). */
export interface EntryOptions {
  /** Permission bits (defaults: files `0o644`, directories `0o755`, symlinks `0o777`). */
  mode?: number;
  /** Owner user ID (default 0). */
  uid?: number;
  /** Owner group ID (default 0). */
  gid?: number;
  /** Modification time (default: the builder's default, the epoch unless set). */
  mtime?: Date;
  /** Extended attributes. */
  xattrs?: Record<string, Buffer>;
}

/**
 * Rank of one path segment in the canonical order: the opaque marker first, then whiteouts,
 * then ordinary names, so a reader applying the tar in order sees the deletions of a directory
 * before anything it adds there.
 */
function segmentRank(segment: string): number {
  if (segment === OPAQUE_MARKER) return 0;
  return segment.startsWith(WHITEOUT_PREFIX) ? 1 : 2;
}

/**
 * Compares two root-relative tar paths in the canonical order: segment by segment (so a
 * directory comes before everything below it), whiteouts before their siblings, then by name.
 */
export function compareTarPaths(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const as = a.split('/');
  const bs = b.split('/');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    const rx = segmentRank(x);
    const ry = segmentRank(y);
    if (rx !== ry) return rx - ry;
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

/**
 * {@link compareTarPaths} without splitting: finds the first differing character, then
 * compares just the segment it falls in. Sorting tens of thousands of paths would otherwise
 * allocate two arrays per comparison.
 */
function comparePathsInPlace(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // The segment both strings are in at the first difference starts after the last common '/'.
  const start = i === 0 ? 0 : a.lastIndexOf('/', i - 1) + 1;
  const endA = a.indexOf('/', start);
  const endB = b.indexOf('/', start);
  const x = a.slice(start, endA < 0 ? a.length : endA);
  const y = b.slice(start, endB < 0 ? b.length : endB);
  // Same segment: one path stops there and is the ancestor of the other.
  if (x === y) return (endA < 0 ? 0 : 1) - (endB < 0 ? 0 : 1);
  const rx = segmentRank(x);
  const ry = segmentRank(y);
  if (rx !== ry) return rx - ry;
  return x < y ? -1 : 1;
}

/** Sorts root-relative tar paths in the canonical order (see {@link compareTarPaths}). */
export function sortTarPaths(paths: Iterable<string>): string[] {
  const list = [...paths];
  // Tars written by this project (and many others) are in canonical order already: one linear
  // check then saves the sort.
  let sorted = true;
  for (let i = 1; i < list.length && sorted; i++) sorted = comparePathsInPlace(list[i - 1]!, list[i]!) < 0;
  if (sorted) return list;
  // Without whiteout names every segment has the same rank, and the canonical order is plain
  // string order once '/' sorts below every other character: map it to NUL (which no tar name
  // contains) and let the engine's native string sort do the work.
  if (!list.some((p) => p.includes(WHITEOUT_PREFIX))) {
    const keys = list.map((p) => p.replaceAll('/', '\0'));
    keys.sort();
    return keys.map((k) => k.replaceAll('\0', '/'));
  }
  list.sort(comparePathsInPlace);
  return list;
}
