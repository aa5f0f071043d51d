/**
 * Path resolution as the kernel does it inside a container: one component at a time, across
 * the container's mount table.
 *
 * Each filesystem of a container (the union view of its image, volumes, bind mounts, the
 * engine's files) knows only itself; a symlink in a bind mount pointing at `/etc/passwd`
 * means the container's `/etc/passwd`, which may be the union view or yet another mount, and
 * `..` from a mount's root is the mount point's parent. Only the view holding the whole mount
 * table can get that right, so this is where links are followed:
 *
 * - the resolved prefix is kept as a stack of names in the container's namespace, so `..`
 *   pops one (never above `/`), and can never climb above a mount's host directory;
 * - each name is looked up (lstat, never following) in the filesystem that owns that path,
 *   chosen by the longest mount target;
 * - a symlink is read and spliced in front of what is left of the path: an absolute target
 *   restarts at the container's root; 40 links at most, as Linux (`ELOOP`);
 * - the last component is followed or not, as the operation asks (`stat` vs `lstat`).
 *
 * The result names the owning filesystem and a path inside it that holds no symlink and no
 * `..`: operations then act on exactly that entry. A filesystem that can be changed
 * underneath (a host directory) refuses to follow a link that appeared since (ELOOP), and the
 * caller resolves again ({@link StaleResolution}).
 *
 * @module
 */
import { FsError } from '../../../fs-union/errors.js';
import type { ChainStats, EntryType, FileStats, FileSystemApi } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';

/** A `.` or `..` component: both say "the name before is a directory", which only full resolution checks. */
const DOTS = /(?:^|\/)\.\.?(?:\/|$)/;

/** What a directory the mount table implies looks like. */
const VIRTUAL_DIRECTORY: FileStats = Object.freeze({
  type: 'directory',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  mtime: new Date(0),
  nlink: 2,
  isFile: () => false,
  isDirectory: () => true,
  isSymbolicLink: () => false,
});

/** Linux's limit on symlinks followed in one lookup (`MAXSYMLINKS`). */
export const MAX_SYMLINKS = 40;

/** One filesystem mounted at a path. */
export interface MountPoint {
  /** Absolute target path inside the container (`/data1`). */
  target: string;
  /** The mounted filesystem (its `/` appears at `target`). */
  fs: FileSystemApi;
  /** Refuse writes with EROFS. */
  readOnly: boolean;
}

/**
 * A physical filesystem (a bind mount's host directory): it never follows a link, anywhere in
 * a path (ELOOP instead), and looks up chains of names in one walk.
 */
export interface PhysicalFs extends FileSystemApi {
  /** Always true: marks the filesystem as physical. */
  readonly physical: true;
  /** Required here. */
  lstatChain(dir: string, names: readonly string[]): Promise<ChainStats>;
}

/** Where a container path lives. */
export interface Location {
  /** The resolved container path, root-relative (`''` for `/`): no symlink, no `..`. */
  path: string;
  /** The filesystem that holds it. */
  fs: FileSystemApi;
  /** The path inside `fs` (absolute). */
  inner: string;
  /** The mount it lies in (undefined: the container's own union view). */
  mount: MountPoint | undefined;
  /** Writes there fail with EROFS. */
  readOnly: boolean;
}

/** A resolved path and what is there (`stats` undefined: nothing, but its parent exists). */
export interface Resolved extends Location {
  /** The entry's kind (never a symlink when the last component was followed); undefined: missing. */
  type: EntryType | undefined;
  /** lstat of the entry, computed on demand (call only when `type` is set). */
  stats(): FileStats;
  /**
   * The entry is a directory only the mount table makes (see {@link MountTable.isMountAncestor}):
   * it holds the mount points below it and nothing else.
   */
  virtual?: boolean;
  /** The entry's target, when it is a symlink (as read during the walk). */
  target?: string;
}

/**
 * A host filesystem changed while a path was being resolved or used (a link appeared where a
 * directory was). The caller resolves again; it never reaches programs.
 *
 * @internal
 */
export class StaleResolution extends Error {
  constructor() {
    super('the path changed while it was resolved');
  }
}

/** The mount table of one container: which filesystem owns which path. */
export class MountTable {
  /** The container's own filesystem (its union view). */
  readonly root: FileSystemApi;
  readonly #mounts: { key: string; point: MountPoint }[];
  readonly #keys: Set<string>;
  /** Every directory above a mount target (but `/`): a mount needs a place to hang. */
  readonly #ancestors = new Set<string>();
  /** Physical mounts reached from `/` through mount roots only (see {@link MountTable.direct}). */
  readonly #direct = new Set<MountPoint>();

  constructor(root: FileSystemApi, mounts: readonly MountPoint[]) {
    this.root = root;
    // Longest target first, so /a/b wins over /a.
    this.#mounts = mounts.map((point) => ({ key: toLayerPath(point.target), point })).sort((a, b) => b.key.length - a.key.length);
    this.#keys = new Set(this.#mounts.map((m) => m.key));
    for (const key of this.#keys) {
      for (let i = key.indexOf('/'); i > 0; i = key.indexOf('/', i + 1)) this.#ancestors.add(key.slice(0, i));
    }
    for (const { key, point } of this.#mounts) {
      if ((point.fs as Partial<PhysicalFs>).physical !== true || key === '') continue;
      const parts = key.split('/');
      let plain = true;
      for (let i = 1; i < parts.length && plain; i++) plain = this.#keys.has(parts.slice(0, i).join('/'));
      if (plain) this.#direct.add(point);
    }
  }

  /**
   * Where `path` lands when nothing in it is a link: the fast path for physical mounts.
   *
   * The kernel reaches a mount whose target's ancestors are all mount roots (`/data`,
   * `/data/inner` under it) without looking anything up in another filesystem; below it, a
   * physical filesystem refuses every link (ELOOP). So when `path` has no `.` or `..` (each says
   * "the name before is a directory", which only full resolution checks), lands in such a
   * mount below its root, and has no mount under it, running the call on the lexical path gives
   * exactly what full resolution would, unless a link is met, which the call reports as ELOOP
   * (then the caller resolves in full). Undefined when the fast path does not apply.
   */
  direct(path: string, write: boolean): Location | undefined {
    if (this.#direct.size === 0 || DOTS.test(path) || path.endsWith('/')) return undefined;
    const key = toLayerPath(path);
    const loc = this.locate(key);
    if (loc.mount === undefined || !this.#direct.has(loc.mount) || loc.inner === '/') return undefined;
    // Writes to a read-only mount take the slow path, which reports lookup errors before EROFS.
    if ((write && loc.readOnly) || this.hasMountBelow(key)) return undefined;
    return loc;
  }

  /** The mounts, longest target first. */
  get points(): readonly MountPoint[] {
    return this.#mounts.map((m) => m.point);
  }

  /** The filesystem owning the resolved container path `path` (root-relative). */
  locate(path: string): Location {
    for (const { key, point } of this.#mounts) {
      if (key === '' || path === key || path.startsWith(`${key}/`)) {
        const inner = key === '' ? `/${path}` : `/${path.slice(key.length + 1)}`;
        return { path, fs: point.fs, inner, mount: point, readOnly: point.readOnly };
      }
    }
    return { path, fs: this.root, inner: `/${path}`, mount: undefined, readOnly: false };
  }

  /** True when a mount's root is at `path`. */
  isMountRoot(path: string): boolean {
    return this.#keys.has(path);
  }

  /**
   * True when a mount lies below `path`: then `path` is a directory even where the filesystem
   * underneath has nothing (a build step's `/dev/pipes/EOF` over an image without `/dev/pipes`),
   * as the kernel only mounts on an existing directory.
   */
  isMountAncestor(path: string): boolean {
    return this.#ancestors.has(path);
  }

  /** True when a mount lies strictly below `path`. */
  hasMountBelow(path: string): boolean {
    for (const key of this.#keys) if (key !== path && (path === '' || key.startsWith(`${path}/`))) return true;
    return false;
  }

  /** Names directly inside `dir` of mount points and of the directories leading to them. */
  mountNamesIn(dir: string): string[] {
    const out = new Set<string>();
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const key of this.#keys) {
      if (key === '' || !key.startsWith(prefix) || key === dir) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash < 0 ? rest : rest.slice(0, slash));
    }
    return [...out];
  }
}

function innerJoin(dir: string, names: readonly string[]): string {
  return dir === '/' ? `/${names.join('/')}` : `${dir}/${names.join('/')}`;
}

/**
 * Calls into a mount's filesystem on a resolved path: an ELOOP there means a link appeared
 * since the path was resolved (host directories refuse to follow links), so resolve again.
 */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof FsError && e.code === 'ELOOP') throw new StaleResolution();
    throw e;
  }
}

function chainStat(fs: FileSystemApi, dir: string, names: readonly string[]): Promise<ChainStats> {
  // Called straight when it can be: this is on the path of every call a program makes.
  const found = fs.lstatChain ? fs.lstatChain(dir, names) : statEach(fs, dir, names);
  return found.catch((e: unknown) => {
    // A link where the walk had found a directory: the host dir changed under us.
    if (e instanceof FsError && e.code === 'ELOOP') throw new StaleResolution();
    throw e;
  });
}

/** {@link FileSystemApi.lstatChain} for a filesystem without one: a stat per prefix. */
async function statEach(fs: FileSystemApi, dir: string, names: readonly string[]): Promise<ChainStats> {
  const types: EntryType[] = [];
  let last: FileStats | undefined;
  let lastFound: FileStats | undefined;
  for (let i = 0; i < names.length; i++) {
    try {
      last = await fs.lstat(innerJoin(dir, names.slice(0, i + 1)));
    } catch (e) {
      if (e instanceof FsError && e.code === 'ENOENT') break;
      throw e;
    }
    types.push(last.type);
    lastFound = last;
    if (!last.isDirectory()) break;
  }
  const found = lastFound;
  const target = found?.isSymbolicLink() ? await fs.readlink(innerJoin(dir, names.slice(0, types.length))) : undefined;
  return { types, stats: () => found, target };
}

/** True when `path` is a directory only the mount table makes (its filesystem has nothing there). */
async function isVirtual(table: MountTable, path: string): Promise<boolean> {
  if (!table.isMountAncestor(path)) return false;
  const loc = table.locate(path);
  try {
    await guarded(() => loc.fs.lstat(loc.inner));
    return false;
  } catch (e) {
    if (e instanceof FsError && e.code === 'ENOENT') return true;
    throw e;
  }
}

/**
 * Resolves `userPath` (absolute; relative ones are taken from `/`) inside the container.
 *
 * @param followLast follow a final symlink (stat, open...) or not (lstat, unlink, rename...);
 *   a trailing `/` always follows, and asks for a directory
 * @throws FsError ENOENT (a missing directory on the way), ENOTDIR, ELOOP (over 40 links)
 * @throws StaleResolution when a host filesystem changed under the walk
 */
export async function resolveInContainer(table: MountTable, userPath: string, followLast: boolean, syscall: string): Promise<Resolved> {
  const trailingSlash = userPath.length > 1 && userPath.endsWith('/');
  const follow = followLast || trailingSlash;
  // Names still to resolve, the next one last (a stack, so links splice in cheaply).
  const pending = userPath.split('/').filter((p) => p !== '').reverse();
  const stack: string[] = [];
  // What is at the resolved path so far: its kind, and how to get its full stats.
  let type: EntryType | undefined;
  let statsOf: () => FileStats | undefined = () => undefined;
  let target: string | undefined;
  let virtual = false;
  let statsFresh = false;
  let links = 0;

  walk: while (pending.length > 0) {
    const name = pending.pop()!;
    // `.` stays; the name before it was checked to be a directory (it was not the last).
    if (name === '.') continue;
    if (name === '..') {
      stack.pop();
      statsFresh = false;
      continue;
    }
    const first = stack.length === 0 ? name : `${stack.join('/')}/${name}`;
    if (table.isMountRoot(first)) {
      // A mount's root: its own filesystem's `/`, whatever lies under it in the parent.
      const mountRoot = table.locate(first);
      const st = await guarded(() => mountRoot.fs.lstat('/'));
      if (pending.length > 0 && !st.isDirectory()) throw new FsError('ENOTDIR', syscall, userPath);
      stack.push(name);
      type = st.type;
      statsOf = () => st;
      target = undefined;
      virtual = false;
      statsFresh = true;
      continue;
    }
    // In a directory only the mount table makes, nothing but mount points and the directories
    // leading to them exists.
    if (statsFresh ? virtual : stack.length > 0 && (await isVirtual(table, stack.join('/')))) {
      const last = pending.length === 0;
      stack.push(name);
      statsFresh = true;
      target = undefined;
      if (table.isMountAncestor(first)) {
        type = 'directory';
        statsOf = () => VIRTUAL_DIRECTORY;
        virtual = true;
        continue;
      }
      if (!last) throw new FsError('ENOENT', syscall, userPath);
      type = undefined;
      statsOf = () => undefined;
      virtual = false;
      continue;
    }
    const loc = table.locate(first);
    const fs = loc.fs;
    const dir = loc.inner.length === name.length + 1 ? '/' : loc.inner.slice(0, loc.inner.length - name.length - 1);
    // Plain names that stay in the same filesystem are looked up in one walk.
    const run = [name];
    for (let at = first; pending.length > 0; ) {
      const next = pending[pending.length - 1]!;
      if (next === '.' || next === '..') break;
      at = `${at}/${next}`;
      if (table.isMountRoot(at)) break;
      run.push(pending.pop()!);
    }
    const found = await chainStat(fs, dir, run);
    for (let i = 0; i < run.length; i++) {
      const kind = found.types[i];
      const last = i === run.length - 1 && pending.length === 0;
      if (kind === undefined) {
        const at = [...stack, ...run.slice(0, i + 1)].join('/');
        if (table.isMountAncestor(at)) {
          for (let j = 0; j <= i; j++) stack.push(run[j]!);
          for (let j = run.length - 1; j > i; j--) pending.push(run[j]!);
          type = 'directory';
          statsOf = () => VIRTUAL_DIRECTORY;
          target = undefined;
          virtual = true;
          statsFresh = true;
          continue walk;
        }
        // Only the final name may be missing: it is what a create makes.
        if (!last) throw new FsError('ENOENT', syscall, userPath);
        stack.push(...run);
        type = undefined;
        statsOf = () => undefined;
        target = undefined;
        virtual = false;
        statsFresh = true;
        break;
      }
      if (kind === 'symlink' && (!last || follow)) {
        if (++links > MAX_SYMLINKS) throw new FsError('ELOOP', syscall, userPath);
        // The chain stops at the first link: its target came with it.
        const to = found.target ?? '';
        if (to === '') throw new FsError('ENOENT', syscall, userPath);
        for (let j = run.length - 1; j > i; j--) pending.push(run[j]!);
        for (let j = 0; j < i; j++) stack.push(run[j]!);
        if (to.startsWith('/')) stack.length = 0;
        const parts = to.split('/');
        for (let j = parts.length - 1; j >= 0; j--) if (parts[j] !== '') pending.push(parts[j]!);
        statsFresh = false;
        continue walk;
      }
      if (!last && kind !== 'directory') throw new FsError('ENOTDIR', syscall, userPath);
      if (i === run.length - 1) {
        stack.push(...run);
        type = kind;
        statsOf = found.stats;
        target = found.target;
        virtual = false;
        statsFresh = true;
      }
    }
  }
  const path = stack.join('/');
  const loc = table.locate(path) as Resolved;
  if (!statsFresh) {
    target = undefined;
    try {
      const st = await guarded(() => loc.fs.lstat(loc.inner));
      type = st.type;
      statsOf = () => st;
      virtual = false;
    } catch (e) {
      if (!(e instanceof FsError && e.code === 'ENOENT' && table.isMountAncestor(path))) throw e;
      type = 'directory';
      statsOf = () => VIRTUAL_DIRECTORY;
      virtual = true;
    }
  }
  if (trailingSlash && type !== undefined && type !== 'directory') throw new FsError('ENOTDIR', syscall, userPath);
  loc.type = type;
  const statsNow = statsOf;
  loc.stats = () => statsNow()!;
  if (target !== undefined) loc.target = target;
  if (virtual) loc.virtual = true;
  return loc;
}
