/**
 * The union view: read-only layers plus one fresh read-write layer, with `node:fs`-shaped
 * operations, `docker diff`-style changes, commit to a new layer and tar import/export.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { FsError } from './errors.js';
import type { ChainStats, EntryType, FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from './fs-api.js';
import { defaultContentStore, type ContentStore } from './content-store.js';
import type { Layer, LayerSignalOptions } from './layer.js';
import { LowerIndex } from './lower-index.js';
import { isWithin, joinLayerPath, parentOf, toLayerPath } from './paths.js';
import { UnionState } from './union-state.js';
import { UpperNode, bytesOf, statsOf, targetOf, type ViewNode } from './union-node.js';
import { changesOf, commitState, type Change } from './union-changes.js';
import { archiveOf, exportOf, extractInto, type ExtractOptions } from './union-archive.js';
import type { TarSource } from './tar-reader.js';

/** Options of {@link UnionFS}. */
export interface UnionFSOptions {
  /** Every write fails with EROFS. */
  readOnly?: boolean;
  /** Where written content is interned (default: the process-wide store). */
  store?: ContentStore;
  /** The clock for modification times of new and changed entries (default: `Date.now`). */
  now?: () => Date;
}

/**
 * A union filesystem over read-only layers (bottom first) and a fresh read-write layer.
 *
 * Construction is cheap: the lower stack's merged index is built on first use and shared by
 * every view of the same stack, and nothing is copied until a write copies it up (metadata and
 * a content reference, never bytes).
 *
 * @example
 * ```ts
 * const fs = new UnionFS([base, app]);
 * await fs.writeFile('/etc/motd', 'hi\n');
 * await fs.unlink('/bin/hostname');
 * fs.changes();               // [{ kind: 'C', path: '/bin' }, { kind: 'D', path: '/bin/hostname' }, ...]
 * const layer = await fs.commit();
 * ```
 */
export class UnionFS implements FileSystemApi {
  readonly #state: UnionState;
  readonly #layers: readonly Layer[];
  readonly #readOnly: boolean;
  readonly #store: ContentStore;
  readonly #now: () => Date;

  constructor(layers: readonly Layer[], options: UnionFSOptions = {}) {
    this.#layers = [...layers];
    this.#state = new UnionState(LowerIndex.of(this.#layers));
    this.#readOnly = options.readOnly ?? false;
    this.#store = options.store ?? defaultContentStore;
    this.#now = options.now ?? (() => new Date());
  }

  /** The read-only layers, bottom first. */
  get layers(): readonly Layer[] {
    return this.#layers;
  }

  /** True when every write fails with EROFS. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  #writable(syscall: string, path: string): void {
    if (this.#readOnly) throw new FsError('EROFS', syscall, path);
  }

  /** Reads a whole file (following symlinks); devices and fifos read as empty. */
  async readFile(path: string): Promise<Buffer> {
    return this.readFileSync(path);
  }

  /** Synchronous {@link UnionFS.readFile}, for programs that run inside the emulator. */
  readFileSync(path: string): Buffer {
    return this.#read(path, Infinity);
  }

  /** Reads at most the first `maxBytes` bytes of a file, copying only those. */
  async readFileHead(path: string, maxBytes: number): Promise<Buffer> {
    return this.#read(path, maxBytes);
  }

  #read(path: string, maxBytes: number): Buffer {
    const { node } = this.#state.resolve(path, true, 'open');
    if (node === undefined) throw new FsError('ENOENT', 'open', path);
    if (node.type === 'directory') throw new FsError('EISDIR', 'read', path);
    if (node.type !== 'file') return Buffer.alloc(0);
    const bytes = bytesOf(node);
    // A copy: the stored bytes are shared by every layer and view holding the same content.
    return Buffer.from(bytes.subarray(0, Math.min(bytes.length, maxBytes)));
  }

  /** Writes a whole file, creating it (its parent must exist). */
  async writeFile(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<void> {
    this.#writeFile(path, typeof data === 'string' ? Buffer.from(data) : Buffer.from(data), options);
  }

  /** Appends to a file, creating it. */
  async appendFile(path: string, data: string | Uint8Array): Promise<void> {
    this.#writeFile(path, typeof data === 'string' ? Buffer.from(data) : Buffer.from(data), { flag: 'a' });
  }

  #writeFile(path: string, bytes: Buffer, options: WriteFileOptions): void {
    this.#writable('open', path);
    const s = this.#state;
    const { path: at, node } = s.resolve(path, true, 'open');
    if (at === '' || node?.type === 'directory') throw new FsError('EISDIR', 'open', path);
    const flag = options.flag ?? 'w';
    if (node !== undefined && flag === 'wx') throw new FsError('EEXIST', 'open', path);
    if (node !== undefined && node.type !== 'file') {
      // Devices and fifos accept writes and keep nothing, as /dev/null does.
      return;
    }
    const now = this.#now();
    if (node !== undefined) {
      const upper = s.copyUp(at);
      if (flag === 'a') upper.append(bytes, this.#store);
      else upper.write(bytes, this.#store);
      upper.mtime = now;
      return;
    }
    this.#parentDir(at, 'open', path);
    const created = new UpperNode('file', {
      mode: options.mode ?? 0o644,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      mtime: now,
    });
    created.write(bytes, this.#store);
    s.place(at, created);
  }

  /** Checks that the parent of a resolved path is a visible directory. */
  #parentDir(at: string, syscall: string, path: string): void {
    const parent = this.#state.lookup(parentOf(at));
    if (parent === undefined) throw new FsError('ENOENT', syscall, path);
    if (parent.type !== 'directory') throw new FsError('ENOTDIR', syscall, path);
  }

  /** Lists a directory's entry names, sorted. */
  async readdir(path: string): Promise<string[]> {
    return this.readdirSync(path);
  }

  /** Synchronous {@link UnionFS.readdir}. */
  readdirSync(path: string): string[] {
    const { path: at, node } = this.#state.resolve(path, true, 'scandir');
    if (node === undefined) throw new FsError('ENOENT', 'scandir', path);
    if (node.type !== 'directory') throw new FsError('ENOTDIR', 'scandir', path);
    return this.#state.children(at);
  }

  /** Creates a directory (with `recursive`, also its missing parents). */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    this.#writable('mkdir', path);
    if (options.recursive) {
      this.#mkdirp(path, options.mode ?? 0o755);
      return;
    }
    const { path: at, node } = this.#state.resolve(path, false, 'mkdir');
    if (node !== undefined) throw new FsError('EEXIST', 'mkdir', path);
    this.#parentDir(at, 'mkdir', path);
    this.#state.place(at, new UpperNode('directory', { mode: options.mode ?? 0o755, mtime: this.#now() }));
  }

  #mkdirp(path: string, mode: number): void {
    const parts = toLayerPath(path).split('/').filter((p) => p !== '');
    let prefix = '';
    for (const part of parts) {
      prefix = `${prefix}/${part}`;
      const { path: at, node } = this.#state.resolve(prefix, true, 'mkdir');
      if (node?.type === 'directory') continue;
      if (node !== undefined) throw new FsError(prefix === `/${parts.join('/')}` ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
      this.#state.place(at, new UpperNode('directory', { mode, mtime: this.#now() }));
    }
  }

  /** Removes a non-directory entry. */
  async unlink(path: string): Promise<void> {
    this.#writable('unlink', path);
    const { path: at, node } = this.#state.resolve(path, false, 'unlink');
    if (node === undefined) throw new FsError('ENOENT', 'unlink', path);
    if (node.type === 'directory') throw new FsError('EISDIR', 'unlink', path);
    this.#state.remove(at);
  }

  /** Removes an empty directory. */
  async rmdir(path: string): Promise<void> {
    this.#writable('rmdir', path);
    const { path: at, node } = this.#state.resolve(path, false, 'rmdir');
    if (node === undefined) throw new FsError('ENOENT', 'rmdir', path);
    if (node.type !== 'directory') throw new FsError('ENOTDIR', 'rmdir', path);
    if (at === '') throw new FsError('EBUSY', 'rmdir', path);
    if (this.#state.children(at).length > 0) throw new FsError('ENOTEMPTY', 'rmdir', path);
    this.#state.remove(at);
  }

  /** Removes an entry, recursively if asked; `force` ignores a missing path. */
  async rm(path: string, options: RmOptions = {}): Promise<void> {
    this.#writable('rm', path);
    const { path: at, node } = this.#state.resolve(path, false, 'rm');
    if (node === undefined) {
      if (options.force) return;
      throw new FsError('ENOENT', 'rm', path);
    }
    if (at === '') throw new FsError('EBUSY', 'rm', path);
    if (node.type === 'directory' && !options.recursive) throw new FsError('EISDIR', 'rm', path);
    this.#state.remove(at);
  }

  /**
   * Moves an entry. A directory moves with its whole subtree: lower entries are copied up
   * under the new name (metadata and content references only) and the old name is whited out.
   */
  async rename(from: string, to: string): Promise<void> {
    this.#writable('rename', from);
    const s = this.#state;
    const src = s.resolve(from, false, 'rename');
    if (src.node === undefined) throw new FsError('ENOENT', 'rename', from, to);
    const dst = s.resolve(to, false, 'rename');
    if (src.path === dst.path) return;
    if (src.path === '' || dst.path === '') throw new FsError('EBUSY', 'rename', from, to);
    if (isWithin(dst.path, src.path)) throw new FsError('EINVAL', 'rename', from, to);
    this.#parentDir(dst.path, 'rename', to);
    if (dst.node !== undefined) {
      if (src.node.type === 'directory' && dst.node.type !== 'directory') throw new FsError('ENOTDIR', 'rename', from, to);
      if (src.node.type !== 'directory' && dst.node.type === 'directory') throw new FsError('EISDIR', 'rename', from, to);
      if (dst.node.type === 'directory' && s.children(dst.path).length > 0) throw new FsError('ENOTEMPTY', 'rename', from, to);
    }
    // Collect first: removing the source changes what is visible.
    // Collect first: removing the source changes what is visible. Lower hard links inside the
    // subtree map to one copy, so they stay linked under the new name.
    const copies = new Map<ViewNode, UpperNode>();
    const moved: [string, UpperNode][] = [];
    for (const [path, node] of s.walkTree(src.path)) {
      let upper = node instanceof UpperNode ? node : copies.get(node);
      if (upper === undefined) copies.set(node, (upper = UpperNode.copyOf(node)));
      moved.push([dst.path + path.slice(src.path.length), upper]);
    }
    s.remove(src.path);
    if (dst.node !== undefined) s.remove(dst.path);
    for (const [path, node] of moved) s.place(path, node);
  }

  /** Creates a symbolic link at `path` pointing at `target` (stored as given). */
  async symlink(target: string, path: string): Promise<void> {
    this.#writable('symlink', path);
    const { path: at, node } = this.#state.resolve(path, false, 'symlink');
    if (node !== undefined) throw new FsError('EEXIST', 'symlink', target, path);
    this.#parentDir(at, 'symlink', path);
    this.#state.place(at, new UpperNode('symlink', { target, mtime: this.#now() }));
  }

  /** Reads a symbolic link's target. */
  async readlink(path: string): Promise<string> {
    const { node } = this.#state.resolve(path, false, 'readlink');
    if (node === undefined) throw new FsError('ENOENT', 'readlink', path);
    if (node.type !== 'symlink') throw new FsError('EINVAL', 'readlink', path);
    return targetOf(node);
  }

  /** Creates a hard link `newPath` to the file at `existingPath`. */
  async link(existingPath: string, newPath: string): Promise<void> {
    this.#writable('link', newPath);
    const s = this.#state;
    const src = s.resolve(existingPath, false, 'link');
    if (src.node === undefined) throw new FsError('ENOENT', 'link', existingPath, newPath);
    if (src.node.type === 'directory') throw new FsError('EPERM', 'link', existingPath, newPath);
    const dst = s.resolve(newPath, false, 'link');
    if (dst.node !== undefined) throw new FsError('EEXIST', 'link', existingPath, newPath);
    this.#parentDir(dst.path, 'link', newPath);
    s.place(dst.path, s.copyUp(src.path));
  }

  /** Resolves every symlink in `path` (chrooted) and returns the absolute result. */
  async realpath(path: string): Promise<string> {
    const { path: at, node } = this.#state.resolve(path, true, 'realpath');
    if (node === undefined) throw new FsError('ENOENT', 'realpath', path);
    return `/${at}`;
  }

  /** Stats an entry, following symlinks. */
  async stat(path: string): Promise<FileStats> {
    return this.#stat(path, true, 'stat');
  }

  /** Stats an entry without following a final symlink. */
  async lstat(path: string): Promise<FileStats> {
    return this.#stat(path, false, 'lstat');
  }

  /** {@inheritDoc FileSystemApi.lstatChain} */
  async lstatChain(dir: string, names: readonly string[]): Promise<ChainStats> {
    const s = this.#state;
    const { path: at, node } = s.resolve(dir, true, 'lstat');
    if (node === undefined) throw new FsError('ENOENT', 'lstat', dir);
    if (node.type !== 'directory') throw new FsError('ENOTDIR', 'lstat', dir);
    const types: EntryType[] = [];
    let last: ViewNode | undefined;
    let cur = at;
    for (const name of names) {
      cur = joinLayerPath(cur, name);
      const child = s.lookup(cur);
      if (child === undefined) break;
      types.push(child.type);
      last = child;
      if (child.type !== 'directory') break;
    }
    return {
      types,
      stats: () => (last === undefined ? undefined : statsOf(last, s.linkCount(last))),
      target: last?.type === 'symlink' ? targetOf(last) : undefined,
    };
  }

  /** True when something is visible at `path` (following symlinks); never throws. */
  exists(path: string): boolean {
    try {
      return this.#state.resolve(path, true, 'access').node !== undefined;
    } catch {
      return false;
    }
  }

  #stat(path: string, follow: boolean, syscall: string): FileStats {
    const { node } = this.#state.resolve(path, follow, syscall);
    if (node === undefined) throw new FsError('ENOENT', syscall, path);
    return statsOf(node, this.#state.linkCount(node));
  }

  /** Changes permission bits. */
  async chmod(path: string, mode: number): Promise<void> {
    this.#change(path, 'chmod', (n) => void (n.mode = mode & 0o7777));
  }

  /** Changes owner and group. */
  async chown(path: string, uid: number, gid: number): Promise<void> {
    this.#change(path, 'chown', (n) => {
      n.uid = uid;
      n.gid = gid;
    });
  }

  /** Sets the modification time. */
  async utimes(path: string, mtime: Date): Promise<void> {
    this.#change(path, 'utime', (n) => void (n.mtime = new Date(mtime.getTime())));
  }

  #change(path: string, syscall: string, apply: (node: UpperNode) => void): void {
    this.#writable(syscall, path);
    const { path: at, node } = this.#state.resolve(path, true, syscall);
    if (node === undefined) throw new FsError('ENOENT', syscall, path);
    apply(this.#state.copyUp(at));
  }

  /** What changed against the lower layers, as `docker diff` lists it, sorted by path. */
  changes(): Change[] {
    return changesOf(this.#state);
  }

  /**
   * The read-write layer as a new layer: changed entries with their parent directories,
   * whiteouts for what was removed, opaque markers for directories recreated over lower ones.
   * Applying it over the same lower layers reproduces this view.
   */
  async commit(options: LayerSignalOptions = {}): Promise<Layer> {
    return commitState(this.#state, { ...options, store: this.#store });
  }

  /** The whole flattened view as a tar (like `docker export`); hard links kept as links. */
  exportTar(options: LayerSignalOptions = {}): Readable {
    return exportOf(this.#state, options);
  }

  /**
   * The entry at `path` with its subtree as a tar, named by its basename (like `docker cp` out
   * of a container). A missing path is reported as the stream's `error` (ENOENT).
   */
  archive(path: string, options: LayerSignalOptions = {}): Readable {
    return archiveOf(this.#state, path, options);
  }

  /**
   * Unpacks a tar into an existing directory of the view (like `docker cp` in). Names are
   * cleaned and checked as for layers; nothing lands outside `dir`'s subtree of the view.
   */
  async extract(dir: string, tar: TarSource, options: ExtractOptions = {}): Promise<void> {
    this.#writable('open', dir);
    await extractInto(this.#state, dir, tar, { store: this.#store, ...options });
  }
}
