/**
 * A container's mount table: which filesystem owns which path, as fixed targets (longest
 * first), and what the table itself implies: mount points show in their parent's listing,
 * and the directories a mount hangs from exist even where the filesystem below has none.
 *
 * @module
 */
import type { ChainStats, FileStats, FileSystemApi } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';

/** A `.` or `..` component: both say "the name before is a directory", which only full resolution checks. */
const DOTS = /(?:^|\/)\.\.?(?:\/|$)/;

/** What a directory the mount table implies looks like (see {@link MountTable.isMountAncestor}). */
export const VIRTUAL_DIRECTORY: FileStats = Object.freeze({
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
