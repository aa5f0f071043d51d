/**
 * The state of a union view and the lookups every operation shares: the read-write layer
 * (upper inodes, whiteouts, opaque directories) over a shared {@link LowerIndex}, chrooted
 * path resolution, copy-up and removal.
 *
 * Invariant: every upper entry's parent directories are upper directories too (copy-up brings
 * them up first), which is what makes `changes()` list parents the way `docker diff` does.
 *
 * @module
 */
import { FsError } from './errors.js';
import type { LowerIndex, ViewEntry } from './lower-index.js';
import { baseName, isWithin, joinLayerPath, parentOf } from './paths.js';
import { UpperNode, targetOf, type ViewNode } from './union-node.js';

/** Marks a path of the read-write layer as deleted (a whiteout of the lower layers). */
export const WHITEOUT: unique symbol = Symbol('whiteout');

/** What the read-write layer holds at a path. */
export type UpperSlot = UpperNode | typeof WHITEOUT;

/** Symlinks followed while resolving one path before ELOOP (Linux's limit). */
export const MAX_SYMLINK_HOPS = 40;

/** A resolved path: where it landed and what is there. */
export interface Resolved {
  /** Root-relative path after following symlinks. */
  path: string;
  /** The node there, if any. */
  node: ViewNode | undefined;
}

/** The read-write layer and the lookups over it. */
export class UnionState {
  /** The merged lower layers (shared with other views of the same stack). */
  readonly lower: LowerIndex;
  /** The read-write layer's slots by path. */
  readonly upper = new Map<string, UpperSlot>();
  /** Child paths of each upper directory (whiteouts included). */
  readonly upperKids = new Map<string, Set<string>>();
  /** Upper directories that hide their lower children. */
  readonly opaque = new Set<string>();

  constructor(lower: LowerIndex) {
    this.lower = lower;
  }

  /** True when lower entries at `path` can show through (no ancestor hides them). */
  lowerShows(path: string): boolean {
    if (this.upper.size === 0 || path === '') return true;
    for (let dir = parentOf(path); ; dir = parentOf(dir)) {
      const slot = this.upper.get(dir);
      if (slot === WHITEOUT) return false;
      if (slot !== undefined && (slot.type !== 'directory' || this.opaque.has(dir))) return false;
      if (dir === '') return true;
    }
  }

  /** The lower entry at `path` if it shows through the read-write layer. */
  visibleLower(path: string): ViewEntry | undefined {
    const entry = this.lower.get(path);
    return entry !== undefined && this.lowerShows(path) ? entry : undefined;
  }

  /** The node visible at a root-relative path, without following symlinks. */
  lookup(path: string): ViewNode | undefined {
    const slot = this.upper.get(path);
    if (slot === WHITEOUT) return undefined;
    if (slot !== undefined) return slot;
    return this.visibleLower(path);
  }

  /** How many names the node at `path` has. */
  linkCount(node: ViewNode): number {
    return node instanceof UpperNode ? node.nlink : this.lower.linkCount(node);
  }

  /** Sorted visible child names of a directory. */
  children(dir: string): string[] {
    const names = new Set<string>();
    const slot = this.upper.get(dir);
    const lowerDir = this.lower.get(dir);
    const lowerChildren =
      lowerDir?.type === 'directory' &&
      this.lowerShows(dir) &&
      (slot === undefined || (slot !== WHITEOUT && slot.type === 'directory' && !this.opaque.has(dir)));
    if (lowerChildren) {
      for (const name of this.lower.children(dir)) {
        if (this.upper.get(joinLayerPath(dir, name)) !== WHITEOUT) names.add(name);
      }
    }
    for (const kid of this.upperKids.get(dir) ?? []) {
      if (this.upper.get(kid) === WHITEOUT) names.delete(baseName(kid));
      else names.add(baseName(kid));
    }
    return [...names].sort();
  }

  /**
   * Resolves a user path as if chrooted at the view's root: absolute symlink targets restart
   * at the root and `..` at the root stays there.
   *
   * @throws FsError ENOENT (a missing parent), ENOTDIR (a parent that is not a directory),
   *   ELOOP (more than {@link MAX_SYMLINK_HOPS} links)
   */
  resolve(userPath: string, followLast: boolean, syscall: string): Resolved {
    const stack: string[] = [];
    const pending = userPath.split('/').filter((p) => p !== '' && p !== '.');
    // A trailing slash asks for a directory: follow a final symlink then.
    const follow = followLast || userPath.endsWith('/');
    let hops = 0;
    let node: ViewNode | undefined = this.lookup('');
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.' || name === '') continue;
      if (name === '..') {
        stack.pop();
        node = this.lookup(stack.join('/'));
        continue;
      }
      if (node === undefined) throw new FsError('ENOENT', syscall, userPath);
      if (node.type !== 'directory') throw new FsError('ENOTDIR', syscall, userPath);
      const here = stack.join('/');
      const path = joinLayerPath(here, name);
      const child = this.lookup(path);
      const last = pending.length === 0;
      if (child?.type === 'symlink' && (!last || follow)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', syscall, userPath);
        const target = targetOf(child);
        if (target.startsWith('/')) stack.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        node = this.lookup(stack.join('/'));
        continue;
      }
      stack.push(name);
      node = child;
    }
    // `file/` names a directory: Linux refuses it with ENOTDIR.
    if (userPath.endsWith('/') && node !== undefined && node.type !== 'directory') throw new FsError('ENOTDIR', syscall, userPath);
    return { path: stack.join('/'), node };
  }

  /** Puts a slot in the read-write layer, bringing its parents up first. */
  setUpper(path: string, slot: UpperSlot): void {
    if (path !== '') this.copyUp(parentOf(path));
    const previous = this.upper.get(path);
    if (previous !== slot) {
      if (previous instanceof UpperNode) previous.nlink--;
      if (slot instanceof UpperNode) slot.nlink++;
    }
    this.upper.set(path, slot);
    if (path === '') return;
    const dir = parentOf(path);
    let kids = this.upperKids.get(dir);
    if (kids === undefined) this.upperKids.set(dir, (kids = new Set()));
    kids.add(path);
  }

  /**
   * Makes the visible node at `path` an upper node (copying metadata and the content
   * reference, never bytes) and returns it; parents are brought up first.
   */
  copyUp(path: string): UpperNode {
    const slot = this.upper.get(path);
    if (slot instanceof UpperNode) return slot;
    const node = slot === WHITEOUT ? undefined : this.visibleLower(path);
    if (node === undefined) throw new Error(`union invariant: copy-up of missing path ${JSON.stringify(path)}`);
    const copy = UpperNode.copyOf(node);
    this.setUpper(path, copy);
    return copy;
  }

  /** Drops every upper slot at and below `path` (nothing is recorded). */
  dropUpper(path: string): void {
    const kids = this.upperKids.get(path);
    if (kids !== undefined) {
      this.upperKids.delete(path);
      for (const kid of kids) this.dropUpper(kid);
    }
    const slot = this.upper.get(path);
    if (slot instanceof UpperNode) slot.nlink--;
    this.upper.delete(path);
    this.opaque.delete(path);
    if (path !== '') this.upperKids.get(parentOf(path))?.delete(path);
  }

  /**
   * Removes the visible entry at `path` with everything below it: upper slots go, and a
   * whiteout is recorded when a lower entry would otherwise show through.
   */
  remove(path: string): void {
    const lowerThere = this.lower.get(path) !== undefined && this.lowerShows(path);
    this.dropUpper(path);
    if (lowerThere) this.setUpper(path, WHITEOUT);
  }

  /**
   * Places a new node where the visible entry (if any) was already removed. A directory put
   * over a lower directory it does not come from is made opaque, so the old lower children
   * stay hidden.
   */
  place(path: string, node: UpperNode): void {
    const hiddenLowerDir = this.lower.get(path)?.type === 'directory' && this.upper.get(path) === WHITEOUT;
    this.setUpper(path, node);
    if (node.type === 'directory' && hiddenLowerDir) this.opaque.add(path);
  }

  /** Visible paths at and below `path`, parents first (for renames and archives). */
  *walkTree(path: string): Generator<[string, ViewNode]> {
    const node = this.lookup(path);
    if (node === undefined) return;
    yield [path, node];
    if (node.type !== 'directory') return;
    for (const name of this.children(path)) yield* this.walkTree(joinLayerPath(path, name));
  }

  /** True when `path` is `dir` or below it (re-exported for callers checking renames). */
  static within(path: string, dir: string): boolean {
    return isWithin(path, dir);
  }
}
