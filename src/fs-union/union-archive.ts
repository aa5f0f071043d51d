/**
 * Tar import and export of a union view: `docker export`, `docker cp` out (GET archive) and
 * in (PUT archive).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { FsError } from './errors.js';
import type { ContentStore } from './content-store.js';
import type { LayerSignalOptions } from './layer.js';
import { baseName, joinLayerPath, parentOf } from './paths.js';
import { packTar, type TarRecord } from './tar-writer.js';
import { readLayerTar, type TarSource } from './tar-reader.js';
import { UpperNode, bytesOf, deviceOf, targetOf, type ViewNode } from './union-node.js';
import type { UnionState } from './union-state.js';

/** Options of `UnionFS.extract`. */
export interface ExtractOptions {
  /** Aborts reading the tar; nothing is applied unless the whole tar was read and checked. */
  signal?: AbortSignal;
  /** Where content is interned. */
  store?: ContentStore;
}

/** The tar record of a view node under a given name. */
function recordOfNode(name: string, node: ViewNode): TarRecord {
  const base = { name, mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime, xattrs: node.xattrs };
  switch (node.type) {
    case 'file':
      return { ...base, type: 'file', data: bytesOf(node) };
    case 'directory':
      return { ...base, type: 'directory' };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: targetOf(node) };
    case 'char':
    case 'block': {
      const [devMajor, devMinor] = deviceOf(node);
      return { ...base, type: node.type, devMajor, devMinor };
    }
    case 'fifo':
      return { ...base, type: 'fifo' };
  }
}

/** Records of a subtree, renaming its top to `top`; the second name of a file becomes a hard link. */
function* subtreeRecords(state: UnionState, from: string, top: string, skipTop: boolean): Generator<TarRecord> {
  const seen = new Map<ViewNode, string>();
  for (const [path, node] of state.walkTree(from)) {
    if (skipTop && path === from) continue;
    const rel = path.slice(from.length);
    const name = top === '' ? rel.replace(/^\//, '') : top + rel;
    const first = node.type === 'file' ? seen.get(node) : undefined;
    if (first !== undefined) {
      yield { name, type: 'link', linkname: first, mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime };
      continue;
    }
    if (node.type === 'file' && state.linkCount(node) > 1) seen.set(node, name);
    yield recordOfNode(name, node);
  }
}

/** The flattened view as a tar, root entry omitted (as `docker export` writes it). */
export function exportOf(state: UnionState, options: LayerSignalOptions = {}): Readable {
  return packTar(subtreeRecords(state, '', '', true), options);
}

/** One entry and its subtree, named by the entry's basename (`docker cp` out). */
export function archiveOf(state: UnionState, path: string, options: LayerSignalOptions = {}): Readable {
  function* records(): Generator<TarRecord> {
    // Resolved when the stream is first read, so a missing path is the stream's error.
    const { path: at, node } = state.resolve(path, false, 'lstat');
    if (node === undefined) throw new FsError('ENOENT', 'lstat', path);
    yield* subtreeRecords(state, at, at === '' ? '.' : baseName(at), false);
  }
  return packTar(records(), options);
}

/**
 * Unpacks a tar into directory `dir` of the view. The tar is read and validated completely
 * first (the layer rules: no `..` escape, no write through an escaping symlink, hard links
 * inside the tar), so a malformed archive changes nothing; then it is applied: whiteouts and
 * opaque markers delete, entries replace, missing parents are created. Symlinks already in the
 * view resolve chrooted, so nothing can land outside the root. A conflict found while applying
 * (an entry below a file of the view: ENOTDIR) stops there, leaving what was applied so far.
 */
export async function extractInto(state: UnionState, dir: string, tar: TarSource, options: ExtractOptions = {}): Promise<void> {
  const base = state.resolve(dir, true, 'open');
  if (base.node === undefined) throw new FsError('ENOENT', 'open', dir);
  if (base.node.type !== 'directory') throw new FsError('ENOTDIR', 'open', dir);
  const { parts } = await readLayerTar(tar, options);
  // Where a tar path lands: its parents resolve in the view (chrooted), missing ones are
  // created as tar extractors do for archives that list files without their directories.
  const landing = (rel: string): string => {
    if (rel === '') return base.path;
    let dirPath = base.path;
    for (const part of parentOf(rel).split('/')) {
      if (part === '') continue;
      const next = state.resolve(`/${joinLayerPath(dirPath, part)}`, true, 'open');
      if (next.node === undefined) state.place(next.path, new UpperNode('directory', { mode: 0o755 }));
      else if (next.node.type !== 'directory') throw new FsError('ENOTDIR', 'open', `/${joinLayerPath(base.path, rel)}`);
      dirPath = next.path;
    }
    return joinLayerPath(dirPath, baseName(rel));
  };
  for (const target of parts.whiteouts) {
    const at = landing(target);
    if (state.lookup(at) !== undefined) state.remove(at);
  }
  for (const opaqueDir of parts.opaques) {
    const at = landing(opaqueDir);
    if (state.lookup(at)?.type !== 'directory') continue;
    for (const name of state.children(at)) state.remove(joinLayerPath(at, name));
  }
  const landed = new Map<string, string>();
  for (const entry of parts.entries.values()) {
    const at = landing(entry.path);
    landed.set(entry.path, at);
    const existing = state.lookup(at);
    const meta = { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime, xattrs: { ...entry.xattrs } };
    if (entry.type === 'directory') {
      if (existing?.type === 'directory') Object.assign(state.copyUp(at), meta);
      else {
        if (existing !== undefined) state.remove(at);
        state.place(at, new UpperNode('directory', meta));
      }
      continue;
    }
    if (at === '') throw new FsError('EISDIR', 'open', '/');
    if (existing !== undefined) state.remove(at);
    switch (entry.type) {
      case 'file':
        state.place(at, new UpperNode('file', { ...meta, content: entry.content }));
        break;
      case 'symlink':
        state.place(at, new UpperNode('symlink', { ...meta, target: entry.target }));
        break;
      case 'hardlink': {
        const source = state.copyUp(landed.get(entry.target) ?? landing(entry.target));
        state.place(at, source);
        break;
      }
      case 'char':
      case 'block':
        state.place(at, new UpperNode(entry.type, { ...meta, devMajor: entry.devMajor, devMinor: entry.devMinor }));
        break;
      case 'fifo':
        state.place(at, new UpperNode('fifo', meta));
        break;
    }
  }
}
