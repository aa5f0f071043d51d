/**
 * The merged, read-only view of a stack of layers, shared by every union view over that stack.
 *
 * A thousand containers of one image must not each copy the image's tree: the index is built
 * once per distinct stack, on first use, and cached on the stack's top layer (weakly, so it
 * goes away with the layers).
 *
 * @module
 */
import type { DirectoryEntry, LayerEntry } from './entry.js';
import type { Layer } from './layer.js';
import { baseName, parentOf } from './paths.js';

/** An entry as the merged view sees it: never a hardlink (links resolve to their file). */
export type ViewEntry = Exclude<LayerEntry, { type: 'hardlink' }>;

/** Directory metadata given to the root and to parents a layer implies but does not list. */
export function impliedDirectory(path: string): DirectoryEntry {
  return { type: 'directory', path, mode: 0o755, uid: 0, gid: 0, mtime: new Date(0), xattrs: {} };
}

const cache = new WeakMap<Layer, Map<string, LowerIndex>>();

/** The flattened tree of a layer stack (bottom first), with whiteouts and opaque dirs applied. */
export class LowerIndex {
  readonly #layers: readonly Layer[];
  #nodes: Map<string, ViewEntry> | undefined;
  #kids: Map<string, Set<string>> | undefined;
  readonly #sortedKids = new Map<string, readonly string[]>();
  #links: Map<ViewEntry, number> | undefined;

  private constructor(layers: readonly Layer[]) {
    this.#layers = layers;
  }

  /** The shared index of a stack; the same stack always gives the same object. */
  static of(layers: readonly Layer[]): LowerIndex {
    const top = layers[layers.length - 1];
    if (top === undefined) return new LowerIndex([]);
    const key = layers.map((l) => l.serial).join(',');
    let byKey = cache.get(top);
    if (byKey === undefined) cache.set(top, (byKey = new Map()));
    let index = byKey.get(key);
    if (index === undefined) byKey.set(key, (index = new LowerIndex([...layers])));
    return index;
  }

  /** The layers, bottom first. */
  get layers(): readonly Layer[] {
    return this.#layers;
  }

  /** The visible entry at a path (`''` is the root, always a directory). */
  get(path: string): ViewEntry | undefined {
    return this.#build().nodes.get(path);
  }

  /** Sorted child names of a directory, or an empty list. */
  children(dir: string): readonly string[] {
    let sorted = this.#sortedKids.get(dir);
    if (sorted === undefined) {
      const kids = this.#build().kids.get(dir);
      sorted = kids === undefined ? [] : [...kids].map(baseName).sort();
      this.#sortedKids.set(dir, sorted);
    }
    return sorted;
  }

  /** How many paths of the merged view share this file entry (hard links). */
  linkCount(entry: ViewEntry): number {
    this.#build();
    return this.#links!.get(entry) ?? 1;
  }

  /** Number of visible entries, root included. */
  get size(): number {
    return this.#build().nodes.size;
  }

  #build(): { nodes: Map<string, ViewEntry>; kids: Map<string, Set<string>> } {
    if (this.#nodes !== undefined && this.#kids !== undefined) return { nodes: this.#nodes, kids: this.#kids };
    const nodes = new Map<string, ViewEntry>([['', impliedDirectory('')]]);
    const kids = new Map<string, Set<string>>();
    const dropBelow = (path: string): void => {
      const set = kids.get(path);
      if (set === undefined) return;
      kids.delete(path);
      for (const kid of set) {
        nodes.delete(kid);
        dropBelow(kid);
      }
    };
    const remove = (path: string): void => {
      if (!nodes.has(path)) return;
      dropBelow(path);
      nodes.delete(path);
      kids.get(parentOf(path))?.delete(path);
    };
    const put = (path: string, entry: ViewEntry): void => {
      const existing = nodes.get(path);
      if (existing !== undefined && (existing.type !== 'directory' || entry.type !== 'directory')) dropBelow(path);
      nodes.set(path, entry);
      if (path === '') return;
      const dir = parentOf(path);
      if (nodes.get(dir)?.type !== 'directory') {
        // A layer may list a child without its parent: the parent is implied (over a lower
        // non-directory, the way an extractor would create it).
        put(dir, impliedDirectory(dir));
      }
      let set = kids.get(dir);
      if (set === undefined) kids.set(dir, (set = new Set()));
      set.add(path);
    };
    for (const layer of this.#layers) {
      // Deletions first: a whiteout never hides an entry of its own layer.
      for (const target of layer.whiteouts()) remove(target);
      for (const dir of layer.opaqueDirs()) if (nodes.get(dir)?.type === 'directory') dropBelow(dir);
      for (const entry of layer.entries()) {
        if (entry.type === 'hardlink') {
          const file = layer.get(entry.target);
          if (file !== undefined && file.type !== 'hardlink') put(entry.path, file);
        } else put(entry.path, entry);
      }
    }
    const links = new Map<ViewEntry, number>();
    for (const entry of nodes.values()) if (entry.type === 'file') links.set(entry, (links.get(entry) ?? 0) + 1);
    this.#nodes = nodes;
    this.#kids = kids;
    this.#links = links;
    return { nodes, kids };
  }
}

