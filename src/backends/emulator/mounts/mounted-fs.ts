/**
 * A container's filesystem as its programs see it: the union view of its image, with volumes,
 * bind mounts and the engine's files (`/etc/hosts`...) mounted over it.
 *
 * Every path is resolved as the kernel would inside the container (resolve-in-container.ts):
 * component by component across the mount table, symlinks relative to the container's root,
 * `..` in the container's namespace. Only then is the operation handed to the one filesystem
 * that owns the resolved entry, with a path free of links. So a link in a bind mount can never
 * lead the host kernel anywhere (bind mounts never follow links themselves: host-fs.ts), a
 * link in the image may point into a mount, and a link from a writable area into a read-only
 * mount is refused with EROFS. Renames and hard links across mounts fail with EXDEV, as
 * between two real filesystems; a mount's root cannot be removed or renamed (EBUSY).
 *
 * A host directory can change between resolving a path and using it (the container, another
 * one sharing the dir, or a host process swapping a directory for a link): the bind mount then
 * refuses the link (ELOOP) and the call resolves again, a few times at most.
 *
 * Fast path: a path without `.` or `..` that lands below the root of a bind mount reached through
 * mount roots only (`/data/a/b`) is first tried as it reads, on the bind mount, which refuses
 * any link on the way; only when it meets one (ELOOP) is the path resolved in full. Without
 * links both give the same answer (see {@link MountTable.direct}), and the common case costs
 * one walk instead of two.
 *
 * One deviation from Linux: a directory that holds a mount point cannot be renamed (EBUSY);
 * the kernel would move the mount along, but mount targets here are fixed paths.
 *
 * @module
 */
import { FsError } from '../../../fs-union/errors.js';
import type { EntryType, FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from '../../../fs-union/fs-api.js';
import { MountTable, resolveInContainer, StaleResolution, type Location, type MountPoint, type Resolved } from './resolve-in-container.js';

export type { MountPoint } from './resolve-in-container.js';

/** How many times a call resolves again when a host directory changed under it. */
const MAX_RETRIES = 8;

/** The union view with mounts applied. */
export class MountedFs implements FileSystemApi {
  readonly #table: MountTable;

  constructor(root: FileSystemApi, mounts: readonly MountPoint[]) {
    this.#table = new MountTable(root, mounts);
  }

  /** The view without mounts (the container's own layer stack). */
  get root(): FileSystemApi {
    return this.#table.root;
  }

  /** The mounts, longest target first. */
  get mounts(): readonly MountPoint[] {
    return this.#table.points;
  }

  /**
   * Resolves `path` inside the container and runs `body` on the result; resolves again when a
   * host directory changed in between. Errors name the path the caller gave.
   */
  async #at<T>(syscall: string, path: string, follow: boolean, body: (r: Resolved) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let resolved = false;
      try {
        const r = await resolveInContainer(this.#table, path, follow, syscall);
        resolved = true;
        return await body(r);
      } catch (e) {
        if (isStale(e, resolved)) {
          if (attempt < MAX_RETRIES) continue;
          throw new FsError('ELOOP', syscall, path);
        }
        throw renamed(e, path);
      }
    }
  }

  /** {@link MountedFs.#at} for calls on two paths (rename, link). */
  async #at2<T>(syscall: string, from: string, to: string, follow: boolean, body: (a: Resolved, b: Resolved) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let resolved = false;
      try {
        const a = await resolveInContainer(this.#table, from, follow, syscall);
        const b = await resolveInContainer(this.#table, to, false, syscall);
        resolved = true;
        return await body(a, b);
      } catch (e) {
        if (isStale(e, resolved)) {
          if (attempt < MAX_RETRIES) continue;
          throw new FsError('ELOOP', syscall, from, to);
        }
        throw renamed(e, from, to);
      }
    }
  }

  /** The fast path: `fast` on the lexical location; a link met on the way (ELOOP) means `slow`. */
  #direct<T>(path: string, write: boolean, fast: (l: Location) => Promise<T>, slow: () => Promise<T>): Promise<T> {
    const loc = this.#table.direct(path, write);
    if (loc === undefined) return slow();
    return fast(loc).catch((e: unknown) => {
      if (e instanceof FsError && e.code === 'ELOOP') return slow();
      throw renamed(e, path);
    });
  }

  #existing(r: Resolved, syscall: string, path: string): EntryType {
    if (r.type === undefined) throw new FsError('ENOENT', syscall, path);
    return r.type;
  }

  #writable(r: Resolved, syscall: string, path: string): void {
    if (r.readOnly) throw new FsError('EROFS', syscall, path);
  }

  /** A mount's root, or a directory only the mount table makes: neither can go (EBUSY). */
  #mountRoot(r: Resolved): boolean {
    return (r.mount !== undefined && r.inner === '/') || r.virtual === true;
  }

  /** @inheritDoc */
  readFile(path: string): Promise<Buffer> {
    return this.#direct(path, false, (l) => l.fs.readFile(l.inner), () => this.#at('open', path, true, async (r) => {
      this.#existing(r, 'open', path);
      return r.fs.readFile(r.inner);
    }));
  }
  /** @inheritDoc */
  readFileHead(path: string, maxBytes: number): Promise<Buffer> {
    const head = async (l: Location): Promise<Buffer> => (l.fs.readFileHead ? l.fs.readFileHead(l.inner, maxBytes) : (await l.fs.readFile(l.inner)).subarray(0, maxBytes));
    return this.#direct(path, false, head, () => this.#at('open', path, true, async (r) => {
      this.#existing(r, 'open', path);
      return head(r);
    }));
  }
  /** @inheritDoc */
  writeFile(path: string, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    // O_CREAT|O_EXCL never follows a final link: an existing one is EEXIST.
    const exclusive = options?.flag === 'wx';
    return this.#direct(path, true, (l) => l.fs.writeFile(l.inner, data, options), () => this.#at('open', path, !exclusive, async (r) => {
      if (exclusive && r.type !== undefined) throw new FsError('EEXIST', 'open', path);
      if (r.type === 'directory') throw new FsError('EISDIR', 'open', path);
      this.#writable(r, 'open', path);
      await r.fs.writeFile(r.inner, data, options);
    }));
  }
  /** @inheritDoc */
  appendFile(path: string, data: string | Uint8Array): Promise<void> {
    return this.#direct(path, true, (l) => l.fs.appendFile(l.inner, data), () => this.#at('open', path, true, async (r) => {
      if (r.type === 'directory') throw new FsError('EISDIR', 'open', path);
      this.#writable(r, 'open', path);
      await r.fs.appendFile(r.inner, data);
    }));
  }
  /** @inheritDoc */
  readdir(path: string): Promise<string[]> {
    // No mount lies below a fast-path directory: its own names are all there is.
    return this.#direct(path, false, (l) => l.fs.readdir(l.inner), () => this.#at('scandir', path, true, async (r) => {
      if (this.#existing(r, 'scandir', path) !== 'directory') throw new FsError('ENOTDIR', 'scandir', path);
      const names = new Set(r.virtual ? [] : await r.fs.readdir(r.inner));
      // Mount points show in their parent even where the lower filesystem lacks them.
      for (const name of this.#table.mountNamesIn(r.path)) names.add(name);
      return [...names].sort();
    }));
  }
  /** @inheritDoc */
  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const mode = options?.mode ?? 0o755;
    const recursive = options?.recursive === true;
    await this.#direct(path, true, (l) => l.fs.mkdir(l.inner, { mode, recursive }), () => {
      if (recursive) return this.#mkdirp(path, mode);
      return this.#at('mkdir', path, false, async (r) => {
        if (r.type !== undefined) throw new FsError('EEXIST', 'mkdir', path);
        this.#writable(r, 'mkdir', path);
        await r.fs.mkdir(r.inner, { mode });
      });
    });
  }

  /** `mkdir -p`: each prefix resolved in turn, links followed, missing directories made. */
  async #mkdirp(path: string, mode: number): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '.' || parts[i] === '..') continue;
      const prefix = `/${parts.slice(0, i + 1).join('/')}`;
      const last = i === parts.length - 1;
      await this.#at('mkdir', prefix, true, async (r) => {
        if (r.type === 'directory') return;
        if (r.type !== undefined) throw new FsError(last ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
        // Missing: a dangling link is not made into a directory (mkdir(2) does not follow it).
        const own = await resolveInContainer(this.#table, prefix, false, 'mkdir');
        if (own.type !== undefined) throw new FsError('EEXIST', 'mkdir', path);
        this.#writable(r, 'mkdir', path);
        try {
          await r.fs.mkdir(r.inner, { mode });
        } catch (e) {
          // Made by someone else meanwhile: fine if it is a directory.
          if (!(e instanceof FsError && e.code === 'EEXIST') || !(await r.fs.lstat(r.inner)).isDirectory()) throw e;
        }
      });
    }
  }

  /** @inheritDoc */
  unlink(path: string): Promise<void> {
    return this.#direct(path, true, (l) => l.fs.unlink(l.inner), () => this.#at('unlink', path, false, async (r) => {
      this.#existing(r, 'unlink', path);
      if (this.#mountRoot(r)) throw new FsError('EBUSY', 'unlink', path);
      this.#writable(r, 'unlink', path);
      await r.fs.unlink(r.inner);
    }));
  }
  /** @inheritDoc */
  rmdir(path: string): Promise<void> {
    return this.#direct(path, true, (l) => l.fs.rmdir(l.inner), () => this.#at('rmdir', path, false, async (r) => {
      this.#existing(r, 'rmdir', path);
      if (r.path === '' || this.#mountRoot(r)) throw new FsError('EBUSY', 'rmdir', path);
      this.#writable(r, 'rmdir', path);
      await r.fs.rmdir(r.inner);
    }));
  }
  /** @inheritDoc */
  async rm(path: string, options: RmOptions = {}): Promise<void> {
    try {
      await this.#direct(path, true, (l) => l.fs.rm(l.inner, options), () => this.#at('rm', path, false, async (r) => {
        const type = this.#existing(r, 'rm', path);
        if (r.path === '' || this.#mountRoot(r)) throw new FsError('EBUSY', 'rm', path);
        this.#writable(r, 'rm', path);
        if (type === 'directory' && options.recursive && this.#table.hasMountBelow(r.path)) return this.#rmAcrossMounts(r.path, path);
        await r.fs.rm(r.inner, options);
      }));
    } catch (e) {
      if (options.force && e instanceof FsError && e.code === 'ENOENT') return;
      throw e;
    }
  }

  /**
   * `rm -r` of a directory that holds mount points: what lies in each filesystem is removed
   * by that filesystem, mount points themselves stay (EBUSY, reported once everything else
   * is gone, as `rm -rf` reports it).
   */
  async #rmAcrossMounts(dir: string, userPath: string): Promise<void> {
    let failure: unknown;
    const here = this.#table.locate(dir);
    for (const name of await this.readdir(`/${dir}`)) {
      const child = dir === '' ? name : `${dir}/${name}`;
      try {
        if (this.#table.isMountRoot(child) || this.#table.hasMountBelow(child)) {
          const loc = this.#table.locate(child);
          const st = await loc.fs.lstat(loc.inner);
          if (st.isDirectory()) await this.#rmAcrossMounts(child, userPath);
          else throw new FsError('EBUSY', 'rm', userPath);
          continue;
        }
        if (here.readOnly) throw new FsError('EROFS', 'rm', userPath);
        await here.fs.rm(this.#table.locate(child).inner, { recursive: true, force: true });
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
    if (this.#table.isMountRoot(dir)) throw new FsError('EBUSY', 'rm', userPath);
    if (here.readOnly) throw new FsError('EROFS', 'rm', userPath);
    await here.fs.rmdir(here.inner);
  }

  /** @inheritDoc */
  rename(from: string, to: string): Promise<void> {
    const dst = this.#table.direct(to, true);
    // Both ends on the fast path of one mount, or the slow path (the ELOOP sends it there).
    const fast = (a: Location): Promise<void> => (dst !== undefined && dst.mount === a.mount ? a.fs.rename(a.inner, dst.inner) : Promise.reject(new FsError('ELOOP', 'rename', from)));
    return this.#direct(from, true, fast, () => this.#at2('rename', from, to, false, async (a, b) => {
      this.#existing(a, 'rename', from);
      if (a.path === '' || b.path === '' || this.#mountRoot(a) || this.#mountRoot(b)) throw new FsError('EBUSY', 'rename', from, to);
      if (a.mount !== b.mount) throw new FsError('EXDEV', 'rename', from, to);
      if (this.#table.hasMountBelow(a.path) || this.#table.hasMountBelow(b.path)) throw new FsError('EBUSY', 'rename', from, to);
      if (a.readOnly) throw new FsError('EROFS', 'rename', from, to);
      await a.fs.rename(a.inner, b.inner);
    }));
  }
  /** @inheritDoc */
  symlink(target: string, path: string): Promise<void> {
    return this.#direct(path, true, (l) => l.fs.symlink(target, l.inner), () => this.#at('symlink', path, false, async (r) => {
      if (r.type !== undefined) throw new FsError('EEXIST', 'symlink', target, path);
      this.#writable(r, 'symlink', path);
      await r.fs.symlink(target, r.inner);
    }));
  }
  /** @inheritDoc */
  readlink(path: string): Promise<string> {
    return this.#direct(path, false, (l) => l.fs.readlink(l.inner), () => this.#at('readlink', path, false, async (r) => {
      if (this.#existing(r, 'readlink', path) !== 'symlink') throw new FsError('EINVAL', 'readlink', path);
      return r.target ?? r.fs.readlink(r.inner);
    }));
  }
  /** @inheritDoc */
  link(existingPath: string, newPath: string): Promise<void> {
    // link(2) does not follow a final link in `existingPath`: the link itself gets a new name.
    const dst = this.#table.direct(newPath, true);
    const fast = (a: Location): Promise<void> => (dst !== undefined && dst.mount === a.mount ? a.fs.link(a.inner, dst.inner) : Promise.reject(new FsError('ELOOP', 'link', existingPath)));
    return this.#direct(existingPath, false, fast, () => this.#at2('link', existingPath, newPath, false, async (a, b) => {
      const type = this.#existing(a, 'link', existingPath);
      if (b.type !== undefined) throw new FsError('EEXIST', 'link', existingPath, newPath);
      if (type === 'directory') throw new FsError('EPERM', 'link', existingPath, newPath);
      // Only within one filesystem: a bind mount can never gain a name for a file elsewhere.
      if (a.mount !== b.mount) throw new FsError('EXDEV', 'link', existingPath, newPath);
      if (b.readOnly) throw new FsError('EROFS', 'link', existingPath, newPath);
      await a.fs.link(a.inner, b.inner);
    }));
  }
  /** @inheritDoc */
  realpath(path: string): Promise<string> {
    const fast = async (l: Location): Promise<string> => {
      await l.fs.stat(l.inner);
      return `/${l.path}`;
    };
    return this.#direct(path, false, fast, () => this.#at('realpath', path, true, async (r) => {
      this.#existing(r, 'realpath', path);
      return `/${r.path}`;
    }));
  }
  /** @inheritDoc */
  stat(path: string): Promise<FileStats> {
    return this.#direct(path, false, (l) => l.fs.stat(l.inner), () => this.#at('stat', path, true, async (r) => this.#statsOf(r, 'stat', path)));
  }
  /** @inheritDoc */
  lstat(path: string): Promise<FileStats> {
    return this.#direct(path, false, (l) => l.fs.lstat(l.inner), () => this.#at('lstat', path, false, async (r) => this.#statsOf(r, 'lstat', path)));
  }

  #statsOf(r: Resolved, syscall: string, path: string): FileStats {
    this.#existing(r, syscall, path);
    return r.stats();
  }
  /** @inheritDoc */
  chmod(path: string, mode: number): Promise<void> {
    return this.#meta('chmod', path, (r) => r.fs.chmod(r.inner, mode));
  }
  /** @inheritDoc */
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#meta('chown', path, (r) => r.fs.chown(r.inner, uid, gid));
  }
  /** @inheritDoc */
  utimes(path: string, mtime: Date): Promise<void> {
    return this.#meta('utime', path, (r) => r.fs.utimes(r.inner, mtime));
  }

  #meta(syscall: string, path: string, op: (l: Location) => Promise<void>): Promise<void> {
    return this.#direct(path, true, op, () => this.#at(syscall, path, true, async (r) => {
      this.#existing(r, syscall, path);
      this.#writable(r, syscall, path);
      await op(r);
    }));
  }
}

/**
 * Whether a call must resolve again: the resolver saw a host directory change under it, or a
 * mount refused a link (ELOOP) on a path that had been resolved free of links.
 */
function isStale(e: unknown, resolved: boolean): boolean {
  return e instanceof StaleResolution || (resolved && e instanceof FsError && e.code === 'ELOOP');
}

/** A filesystem's error about an inner path, renamed to the path the program gave. */
function renamed(e: unknown, path: string, dest?: string): unknown {
  if (!(e instanceof FsError) || (e.path === path && e.dest === dest)) return e;
  return new FsError(e.code, e.syscall, path, dest);
}
