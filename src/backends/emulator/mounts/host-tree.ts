/**
 * Walking a bind mount's host directory so that the host kernel never follows a symlink.
 *
 * A container controls what lies under its bind mount (and so do other containers sharing the
 * dir, and host processes): any entry may become a symlink to `/` at any moment. The only
 * safe way to use such a tree is the `openat` discipline: hold a directory open, and name the
 * next entry relative to that open directory, refusing symlinks at every step. Node has no
 * `openat`, but on Linux `/proc/self/fd/<fd>/<name>` is the same thing: the kernel jumps
 * straight to the open directory `<fd>` (a "magic link" that names the inode, not a path that
 * could be re-resolved) and looks up only `<name>` in it. With `O_NOFOLLOW` (or a call that
 * never follows its last component: lstat, unlink, rename, link, mkdir, symlink, readlink,
 * lchown) nothing named by the container is ever followed by the kernel.
 *
 * Why this is race-free: every step is one kernel lookup of one name in a directory held by an
 * fd. Swapping an entry for a symlink between two steps cannot redirect the walk: the next
 * `open(O_DIRECTORY|O_NOFOLLOW)` of that name fails (ELOOP, or ENOTDIR on some kernels)
 * instead of following it, and the caller re-resolves the path inside the container. A
 * directory renamed while we hold it stays the directory we hold: the walk never re-reads a
 * name the container chose. (Only a host process can move a directory out of the host dir;
 * then at most the one call in flight finishes in the moved directory, as a real bind mount
 * lets a process whose working directory was moved carry on.) `..` is never given to the
 * kernel: paths are cleaned before the walk and the container-level resolver handles `..`
 * itself. The mount's root is opened by its real path with `O_NOFOLLOW` and checked against
 * the device and inode recorded when the mount was made, so a root replaced on the host (or
 * through another bind mount of its parent) is refused rather than followed.
 *
 * Without `/proc/self/fd` (macOS, a Linux without procfs) the fallback is a per-component
 * `lstat` plus a `realpath` of each directory checked against the expected path under the
 * mount's real root, and `O_NOFOLLOW` on final opens. That catches every symlink present
 * when it looks, but it is NOT race-free: a component swapped between the check and the use is
 * followed by the host kernel. It is documented as such and only used where procfs is absent.
 *
 * The open root is cached for a moment (it is the bind mount's anchor, like the kernel's own
 * reference to a mounted directory: nothing a container does can change what it refers to)
 * and closed after {@link ROOT_IDLE_MS} without use, so no descriptor outlives its users.
 *
 * The walk itself (opening, stat-ing and closing directories) uses synchronous calls: each is
 * one metadata lookup, a few microseconds on a local filesystem, where a round trip through
 * libuv's thread pool costs 30-150 (measured: 3 vs 138 us for open+close on a loaded machine),
 * and a path four levels down takes eight of them. What can block for long (opening a file,
 * which may be a fifo, and reading or writing its bytes; listing a directory) stays
 * asynchronous. The price: a bind mount on a network filesystem that hangs would stall the
 * event loop during a lookup rather than only the call.
 *
 * @module
 */
import { closeSync, constants as C, existsSync, fstatSync, lstatSync, openSync, promises as fsp, realpathSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { FsError } from '../../../fs-union/errors.js';

/** Linux's `O_PATH` (not in `fs.constants`): an fd that pins an inode without opening it. */
export const O_PATH = 0o10000000;

/** How long the mount's root stays open after its last use, in milliseconds. */
export const ROOT_IDLE_MS = 2_000;

/** Whether this process can name an open directory as `/proc/self/fd/<fd>`. */
export const HAS_PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

/** A directory of the host tree, held open (or, in the fallback, named by a checked path). */
export interface HostDir {
  /**
   * A path the host kernel resolves as `openat(dir, name)`: nothing but `name` is looked up.
   * `''` names the directory itself (through its fd, never by a path).
   */
  at(name: string): string;
  /** The directory's own stats (fstat). */
  stat(): Stats;
  /** Lets go of it (the shared root is only released, never closed here). */
  release(): void;
}

class FdDir implements HostDir {
  readonly #fd: number;
  readonly #base: string;
  readonly #release: (() => void) | undefined;
  /** @param release what letting go means; default: close the fd */
  constructor(fd: number, release?: () => void) {
    this.#fd = fd;
    this.#base = `/proc/self/fd/${fd}`;
    this.#release = release;
  }
  at(name: string): string {
    return name === '' ? this.#base : `${this.#base}/${name}`;
  }
  stat(): Stats {
    return fstatSync(this.#fd);
  }
  release(): void {
    if (this.#release) this.#release();
    else closeSync(this.#fd);
  }
}

class PathDir implements HostDir {
  readonly #path: string;
  readonly #release: () => void;
  constructor(path: string, release: () => void = () => undefined) {
    this.#path = path;
    this.#release = release;
  }
  at(name: string): string {
    return name === '' ? this.#path : join(this.#path, name);
  }
  stat(): Stats {
    return lstatSync(this.#path);
  }
  release(): void {
    this.#release();
  }
}

/** Device and inode of a directory: what a bind mount is anchored to. */
export interface DirIdentity {
  dev: number;
  ino: number;
}

/** Options of {@link HostTree}. */
export interface HostTreeOptions {
  /** Use `/proc/self/fd` (default: when the platform has it). False forces the fallback. */
  procFd?: boolean;
}

/** One bind mount's host directory and the race-free walks through it. */
export class HostTree {
  /** The path the mount was made from. */
  readonly source: string;
  readonly #procFd: boolean;
  #real: string | undefined;
  #identity: DirIdentity | undefined;
  #root: number | undefined;
  #users = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(source: string, options: HostTreeOptions = {}) {
    this.source = source;
    this.#procFd = (options.procFd ?? true) && HAS_PROC_FD;
  }

  /** True when walks use `/proc/self/fd` (race-free); false in the documented fallback. */
  get raceFree(): boolean {
    return this.#procFd;
  }

  /**
   * Records what the mount is anchored to: the source's real path (the host's own symlinks in
   * it are followed once, here, as Docker resolves a bind source when it mounts it) and its
   * device and inode. Called when the mount is made; later walks refuse any other directory.
   */
  async anchor(): Promise<void> {
    if (this.#identity) return;
    const real = await fsp.realpath(this.source);
    const st = await fsp.stat(real);
    if (!st.isDirectory()) throw new FsError('ENOTDIR', 'open', this.source);
    this.#real = real;
    this.#identity = { dev: st.dev, ino: st.ino };
  }

  /** The root (shared while in use), checked to be still the anchored directory. */
  async #enter(): Promise<HostDir> {
    if (!this.#identity) await this.anchor();
    this.#users++;
    clearTimeout(this.#idle);
    try {
      if (!this.#procFd) {
        this.#check(lstatSync(this.#real!));
        return new PathDir(this.#real!, () => this.#leave());
      }
      this.#root ??= this.#openRoot();
      return new FdDir(this.#root, () => this.#leave());
    } catch (e) {
      this.#leave();
      throw e;
    }
  }

  #openRoot(): number {
    const fd = openSync(this.#real!, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
    try {
      this.#check(fstatSync(fd));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return fd;
  }

  #check(st: Stats): void {
    const id = this.#identity!;
    // The source was replaced (renamed away, deleted and made again, or swapped for a link):
    // refuse it, rather than follow whatever now has its name.
    if (!st.isDirectory() || st.dev !== id.dev || st.ino !== id.ino) throw new FsError('ENOENT', 'open', this.source);
  }

  #leave(): void {
    if (--this.#users > 0 || this.#root === undefined) return;
    const root = this.#root;
    this.#idle = setTimeout(() => {
      if (this.#users > 0 || this.#root !== root) return;
      this.#root = undefined;
      closeSync(root);
    }, ROOT_IDLE_MS);
    this.#idle.unref();
  }

  /**
   * Opens `name` in `dir` as a directory without following a symlink.
   *
   * @param where the directory's path under the root, for errors and the fallback's check
   * @throws FsError ELOOP when it is a symlink, ENOTDIR when it is another non-directory
   */
  openChild(dir: HostDir, name: string, where: string): HostDir {
    const path = dir.at(name);
    if (!this.#procFd) {
      const st = lstatSync(path);
      if (st.isSymbolicLink()) throw new FsError('ELOOP', 'open', where);
      if (!st.isDirectory()) throw new FsError('ENOTDIR', 'open', where);
      // A link anywhere above (swapped in since it was checked) shows in the real path.
      if (realpathSync(path) !== join(this.#real!, where)) throw new FsError('ELOOP', 'open', where);
      return new PathDir(path);
    }
    try {
      return new FdDir(openSync(path, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
      // O_DIRECTORY|O_NOFOLLOW reports a symlink as ENOTDIR on some kernels: tell them apart.
      let link = false;
      try {
        link = lstatSync(path).isSymbolicLink();
      } catch {
        // Gone meanwhile: report what open said.
      }
      throw new FsError(link ? 'ELOOP' : 'ENOTDIR', 'open', where);
    }
  }

  /**
   * Runs `fn` with the directory `parts` (names under the root, already cleaned) open, walked
   * without following any symlink; releases every directory it opened afterwards.
   */
  async withDir<T>(parts: readonly string[], fn: (dir: HostDir) => Promise<T>): Promise<T> {
    const root = await this.#enter();
    let dir = root;
    try {
      for (let i = 0; i < parts.length; i++) {
        const next = this.openChild(dir, parts[i]!, parts.slice(0, i + 1).join('/'));
        if (dir !== root) dir.release();
        dir = next;
      }
      return await fn(dir);
    } finally {
      if (dir !== root) dir.release();
      root.release();
    }
  }

  /**
   * Runs `fn` with a path naming exactly the inode at `name` in `dir` (which must not be a
   * symlink): `/proc/self/fd/<fd>` of an `O_PATH` descriptor, for calls that would otherwise
   * follow a final symlink (chmod, chown, utimes). `''` is `dir` itself. (`O_PATH` opens
   * nothing for I/O, so it cannot block on a fifo or a device.)
   */
  async pinned<T>(dir: HostDir, name: string, where: string, fn: (path: string) => Promise<T>): Promise<T> {
    if (name === '') return fn(dir.at(''));
    if (!this.#procFd) {
      if (lstatSync(dir.at(name)).isSymbolicLink()) throw new FsError('ELOOP', 'open', where);
      return fn(dir.at(name));
    }
    const fd = openSync(dir.at(name), O_PATH | C.O_NOFOLLOW);
    try {
      if (fstatSync(fd).isSymbolicLink()) throw new FsError('ELOOP', 'open', where);
      return await fn(`/proc/self/fd/${fd}`);
    } finally {
      closeSync(fd);
    }
  }
}
