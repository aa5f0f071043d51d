/**
 * `docker diff` and `docker commit` for a union view: both read only the read-write layer.
 *
 * @module
 */
import type { ContentStore } from './content-store.js';
import { sortTarPaths } from './entry.js';
import type { Layer, LayerSignalOptions } from './layer.js';
import { LayerBuilder } from './layer-builder.js';
import { toAbsolute } from './paths.js';
import { UpperNode } from './union-node.js';
import { WHITEOUT, type UnionState } from './union-state.js';

/** One line of `docker diff`: Added, Changed or Deleted. */
export interface Change {
  /** `A` added, `C` changed (or a parent of a change), `D` deleted. */
  kind: 'A' | 'C' | 'D';
  /** Absolute path. */
  path: string;
}

/**
 * Lists the read-write layer the way `docker diff` does: a whiteout is `D`, an entry the lower
 * layers also have is `C`, a new one `A`. Parents of every change are in the read-write layer
 * (copy-up brings them), so `/bin` shows as `C` when `/bin/hostname` is deleted.
 */
export function changesOf(state: UnionState): Change[] {
  const out: Change[] = [];
  for (const [path, slot] of state.upper) {
    if (path === '') continue;
    const kind = slot === WHITEOUT ? 'D' : state.lower.get(path) !== undefined ? 'C' : 'A';
    out.push({ kind, path: toAbsolute(path) });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Options of {@link commitState}. */
export interface CommitStateOptions extends LayerSignalOptions {
  /** Where the layer's content is interned (it already is; this keeps one store). */
  store?: ContentStore;
}

/** Turns the read-write layer into a layer (see `UnionFS.commit`). */
export async function commitState(state: UnionState, options: CommitStateOptions = {}): Promise<Layer> {
  const builder = new LayerBuilder(options.store === undefined ? {} : { store: options.store });
  const root = state.upper.get('');
  const lowerRoot = state.lower.get('');
  if (root instanceof UpperNode && lowerRoot !== undefined && !sameMetadata(root, lowerRoot)) {
    builder.addDirectory('/', metaOf(root));
  }
  const firstName = new Map<UpperNode, string>();
  for (const path of sortTarPaths(state.upper.keys())) {
    if (path === '') continue;
    const slot = state.upper.get(path)!;
    if (slot === WHITEOUT) {
      builder.addWhiteout(path);
      continue;
    }
    const meta = metaOf(slot);
    const linked = firstName.get(slot);
    if (linked !== undefined) {
      builder.addHardlink(path, linked, meta);
      continue;
    }
    switch (slot.type) {
      case 'file':
        firstName.set(slot, path);
        builder.addFile(path, slot.content, meta);
        break;
      case 'directory':
        builder.addDirectory(path, meta);
        break;
      case 'symlink':
        builder.addSymlink(path, slot.target, meta);
        break;
      case 'char':
      case 'block':
        builder.addDevice(path, slot.type, { ...meta, major: slot.devMajor, minor: slot.devMinor });
        break;
      case 'fifo':
        builder.addDevice(path, 'fifo', meta);
        break;
    }
  }
  for (const dir of state.opaque) builder.addOpaque(dir);
  return builder.build(options);
}

function metaOf(node: UpperNode) {
  return { mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime, xattrs: node.xattrs };
}

function sameMetadata(a: UpperNode, b: { mode: number; uid: number; gid: number; mtime: Date }): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtime.getTime() === b.mtime.getTime();
}
