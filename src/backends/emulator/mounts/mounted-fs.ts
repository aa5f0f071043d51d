/**
 * A container's filesystem as its programs see it: the union view of its image, with volumes,
 * bind mounts and the engine's files (`/etc/hosts`...) mounted over it.
 *
 * Paths are cleaned lexically (`..` at the root stays at the root) and routed to the mount
 * with the longest matching target; anything else goes to the union view. A read-only mount
 * refuses every write with EROFS; renames and hard links across mounts fail with EXDEV, as
 * between two real filesystems. Symlinks resolve within the filesystem that holds them: a
 * link in the image that points into a mount is followed by the union view, which sees the
 * (empty) mount point, not the mount — the one simplification against a kernel's VFS.
 *
 * @module
 */
import { FsError } from '../../../fs-union/errors.js';
import type { FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';

/** One filesystem mounted at a path. */
export interface MountPoint {
  /** Absolute target path inside the container (`/data1`). */
  target: string;
  /** The mounted filesystem (its `/` appears at `target`). */
  fs: FileSystemApi;
  /** Refuse writes with EROFS. */
  readOnly: boolean;
}

interface Route {
  fs: FileSystemApi;
  path: string;
  readOnly: boolean;
  mount?: MountPoint;
}

/** The union view with mounts applied. */
export class MountedFs implements FileSystemApi {
  readonly #root: FileSystemApi;
  #mounts: { key: string; mount: MountPoint }[];

  constructor(root: FileSystemApi, mounts: readonly MountPoint[]) {
    this.#root = root;
    // Longest target first, so /a/b wins over /a.
    this.#mounts = mounts
      .map((mount) => ({ key: toLayerPath(mount.target), mount }))
      .sort((a, b) => b.key.length - a.key.length);
  }

  /** The view without mounts (the container's own layer stack). */
  get root(): FileSystemApi {
    return this.#root;
  }

  /** The mounts, longest target first. */
  get mounts(): readonly MountPoint[] {
    return this.#mounts.map((m) => m.mount);
  }

  #route(path: string): Route {
    const key = toLayerPath(path);
    for (const { key: target, mount } of this.#mounts) {
      if (key === target || key.startsWith(`${target}/`)) {
        return { fs: mount.fs, path: `/${key.slice(target.length + 1)}`, readOnly: mount.readOnly, mount };
      }
    }
    return { fs: this.#root, path: `/${key}`, readOnly: false };
  }

  #writable(path: string, syscall: string): Route {
    const route = this.#route(path);
    if (route.readOnly) throw new FsError('EROFS', syscall, path);
    return route;
  }

  #pair(from: string, to: string, syscall: string): [Route, Route] {
    const a = this.#writable(from, syscall);
    const b = this.#writable(to, syscall);
    if (a.mount !== b.mount) throw new FsError('EXDEV', syscall, from, to);
    return [a, b];
  }

  /** @inheritDoc */
  readFile(path: string): Promise<Buffer> {
    const r = this.#route(path);
    return r.fs.readFile(r.path);
  }
  /** @inheritDoc */
  async readFileHead(path: string, maxBytes: number): Promise<Buffer> {
    const r = this.#route(path);
    if (r.fs.readFileHead) return r.fs.readFileHead(r.path, maxBytes);
    return (await r.fs.readFile(r.path)).subarray(0, maxBytes);
  }
  /** @inheritDoc */
  async writeFile(path: string, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    const r = this.#writable(path, 'open');
    await r.fs.writeFile(r.path, data, options);
  }
  /** @inheritDoc */
  async appendFile(path: string, data: string | Uint8Array): Promise<void> {
    const r = this.#writable(path, 'open');
    await r.fs.appendFile(r.path, data);
  }
  /** @inheritDoc */
  async readdir(path: string): Promise<string[]> {
    const r = this.#route(path);
    const names = new Set(await r.fs.readdir(r.path));
    // Mount points show in their parent even where the lower filesystem lacks them.
    const key = toLayerPath(path);
    for (const { key: target } of this.#mounts) {
      const slash = target.lastIndexOf('/');
      const parent = slash < 0 ? '' : target.slice(0, slash);
      if (parent === key && target !== '') names.add(target.slice(slash + 1));
    }
    return [...names].sort();
  }
  /** @inheritDoc */
  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const r = this.#writable(path, 'mkdir');
    if (r.mount && r.path === '/') {
      if (options?.recursive) return;
      throw new FsError('EEXIST', 'mkdir', path);
    }
    await r.fs.mkdir(r.path, options);
  }
  /** @inheritDoc */
  async unlink(path: string): Promise<void> {
    const r = this.#writable(path, 'unlink');
    await r.fs.unlink(r.path);
  }
  /** @inheritDoc */
  async rmdir(path: string): Promise<void> {
    const r = this.#writable(path, 'rmdir');
    if (r.mount && r.path === '/') throw new FsError('EBUSY', 'rmdir', path);
    await r.fs.rmdir(r.path);
  }
  /** @inheritDoc */
  async rm(path: string, options?: RmOptions): Promise<void> {
    const r = this.#writable(path, 'rm');
    if (r.mount && r.path === '/') throw new FsError('EBUSY', 'rm', path);
    await r.fs.rm(r.path, options);
  }
  /** @inheritDoc */
  async rename(from: string, to: string): Promise<void> {
    const [a, b] = this.#pair(from, to, 'rename');
    await a.fs.rename(a.path, b.path);
  }
  /** @inheritDoc */
  async symlink(target: string, path: string): Promise<void> {
    const r = this.#writable(path, 'symlink');
    await r.fs.symlink(target, r.path);
  }
  /** @inheritDoc */
  readlink(path: string): Promise<string> {
    const r = this.#route(path);
    return r.fs.readlink(r.path);
  }
  /** @inheritDoc */
  async link(existingPath: string, newPath: string): Promise<void> {
    const [a, b] = this.#pair(existingPath, newPath, 'link');
    await a.fs.link(a.path, b.path);
  }
  /** @inheritDoc */
  async realpath(path: string): Promise<string> {
    const r = this.#route(path);
    const inner = await r.fs.realpath(r.path);
    if (!r.mount) return inner;
    const base = `/${toLayerPath(r.mount.target)}`;
    return inner === '/' ? base : `${base === '/' ? '' : base}${inner}`;
  }
  /** @inheritDoc */
  stat(path: string): Promise<FileStats> {
    const r = this.#route(path);
    return r.fs.stat(r.path);
  }
  /** @inheritDoc */
  lstat(path: string): Promise<FileStats> {
    const r = this.#route(path);
    return r.fs.lstat(r.path);
  }
  /** @inheritDoc */
  async chmod(path: string, mode: number): Promise<void> {
    const r = this.#writable(path, 'chmod');
    await r.fs.chmod(r.path, mode);
  }
  /** @inheritDoc */
  async chown(path: string, uid: number, gid: number): Promise<void> {
    const r = this.#writable(path, 'chown');
    await r.fs.chown(r.path, uid, gid);
  }
  /** @inheritDoc */
  async utimes(path: string, mtime: Date): Promise<void> {
    const r = this.#writable(path, 'utime');
    await r.fs.utimes(r.path, mtime);
  }
}
