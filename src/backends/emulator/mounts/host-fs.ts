/**
 * A {@link FileSystemApi} over a real host directory, for bind mounts.
 *
 * It is a *physical* filesystem: it never follows a symlink, anywhere in a path. A link in an
 * intermediate component fails with ELOOP, and so does a final one for the calls that would
 * follow it (`readFile`, `writeFile`, `stat`, `chmod`...); `lstat`, `readlink`, `unlink`,
 * `rename`, `symlink` and `link` act on the link itself. Following links is the job of the
 * view it is mounted in ({@link MountedFs}), the only place that knows the container's root
 * and mount table: a link in a bind mount pointing at `/etc/x` means the container's
 * `/etc/x`, never the host's. An ELOOP from here therefore means "a link appeared since you
 * resolved this path": the view resolves again.
 *
 * Every call walks from the mount's root with `openat`-style lookups (see host-tree.ts for
 * why that is race-free, and why lookups are synchronous), so nothing a container swaps in
 * between two calls, or during one, makes the host kernel leave the directory. Paths are cleaned lexically first (`..` at the
 * root stays at the root). Node's errors become {@link FsError}s with the same codes.
 *
 * @module
 */
import { constants as C, lstatSync, promises as fsp, readlinkSync, type Stats } from 'node:fs';
import { FsError, type FsErrorCode } from '../../../fs-union/errors.js';
import type { ChainStats, EntryType, FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';
import { removeTree } from './host-remove.js';
import { HostTree, type HostDir, type HostTreeOptions } from './host-tree.js';
import type { PhysicalFs } from './resolve-in-container.js';

/** A filesystem view of the host directory `root` that never follows a symlink. */
export class HostDirectoryFs implements FileSystemApi, PhysicalFs {
  /** It never follows a link (see the module's doc). */
  readonly physical = true;
  readonly #tree: HostTree;

  /**
   * Anchors a bind mount at the host directory `root` (which must exist): its real path and
   * inode are recorded now, and every later call refuses a root that is no longer that one.
   */
  static async open(root: string, options: HostTreeOptions = {}): Promise<HostDirectoryFs> {
    const fs = new HostDirectoryFs(root, options);
    await fs.#tree.anchor();
    return fs;
  }

  /**
   * @param root an absolute host path. Prefer {@link HostDirectoryFs.open}: built this way the
   *   mount is anchored at its first use instead of now.
   */
  constructor(root: string, options: HostTreeOptions = {}) {
    this.#tree = new HostTree(root, options);
  }

  /** False when this platform lacks `/proc/self/fd` and the documented fallback is in use. */
  get raceFree(): boolean {
    return this.#tree.raceFree;
  }

  async #call<T>(syscall: string, path: string, op: () => Promise<T>, dest?: string): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof FsError) throw e.path === path ? e : new FsError(e.code, e.syscall, path, dest);
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && known.has(code)) throw new FsError(code as FsErrorCode, syscall, path, dest);
      throw e;
    }
  }

  /** Runs `fn` in the open parent of `path` with its last name (`''` for the root itself). */
  #inParent<T>(syscall: string, path: string, fn: (dir: HostDir, name: string, where: string) => Promise<T>, dest?: string): Promise<T> {
    const where = toLayerPath(path);
    const parts = where === '' ? [] : where.split('/');
    const name = parts.pop() ?? '';
    return this.#call(syscall, path, () => this.#tree.withDir(parts, (dir) => fn(dir, name, where)), dest);
  }

  #notRoot(name: string, syscall: string, path: string, code: FsErrorCode = 'EBUSY'): void {
    if (name === '') throw new FsError(code, syscall, path);
  }

  /** Opens a file without following a final symlink (`''`: the directory itself). */
  async #openLeaf(dir: HostDir, name: string, flags: number, mode?: number) {
    return fsp.open(dir.at(name), name === '' ? flags : flags | C.O_NOFOLLOW, mode);
  }

  /** @inheritDoc */
  readFile(path: string): Promise<Buffer> {
    return this.#inParent('open', path, async (dir, name) => {
      const handle = await this.#openLeaf(dir, name, C.O_RDONLY);
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    });
  }
  /** @inheritDoc */
  readFileHead(path: string, maxBytes: number): Promise<Buffer> {
    return this.#inParent('open', path, async (dir, name) => {
      const handle = await this.#openLeaf(dir, name, C.O_RDONLY);
      try {
        const buf = Buffer.alloc(maxBytes);
        let got = 0;
        while (got < maxBytes) {
          const { bytesRead } = await handle.read(buf, got, maxBytes - got, null);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buf.subarray(0, got);
      } finally {
        await handle.close();
      }
    });
  }
  /** @inheritDoc */
  writeFile(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<void> {
    const flag = options.flag ?? 'w';
    const flags = C.O_WRONLY | C.O_CREAT | (flag === 'a' ? C.O_APPEND : C.O_TRUNC) | (flag === 'wx' ? C.O_EXCL : 0);
    return this.#inParent('open', path, async (dir, name) => {
      if (name === '') throw new FsError('EISDIR', 'open', path);
      const handle = await this.#openLeaf(dir, name, flags, options.mode ?? 0o644);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    });
  }
  /** @inheritDoc */
  appendFile(path: string, data: string | Uint8Array): Promise<void> {
    return this.writeFile(path, data, { flag: 'a' });
  }
  /** @inheritDoc */
  async readdir(path: string): Promise<string[]> {
    const where = toLayerPath(path);
    const parts = where === '' ? [] : where.split('/');
    const names = await this.#call('scandir', path, () => this.#tree.withDir(parts, (dir) => fsp.readdir(dir.at(''))));
    return names.sort();
  }
  /** @inheritDoc */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    const mode = options.mode ?? 0o755;
    if (!options.recursive) {
      await this.#inParent('mkdir', path, async (dir, name) => {
        this.#notRoot(name, 'mkdir', path, 'EEXIST');
        await fsp.mkdir(dir.at(name), { mode });
      });
      return;
    }
    // One component at a time, each made in its open parent and then opened without following.
    const where = toLayerPath(path);
    const parts = where === '' ? [] : where.split('/');
    for (let i = 0; i < parts.length; i++) {
      await this.#inParent('mkdir', parts.slice(0, i + 1).join('/'), async (dir, name) => {
        try {
          await fsp.mkdir(dir.at(name), { mode });
        } catch (e) {
          if ((e as { code?: string }).code !== 'EEXIST') throw e;
          const st = lstatSync(dir.at(name));
          if (st.isSymbolicLink()) throw new FsError('ELOOP', 'mkdir', path);
          if (!st.isDirectory()) throw new FsError(i === parts.length - 1 ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
        }
      });
    }
  }
  /** @inheritDoc */
  unlink(path: string): Promise<void> {
    return this.#inParent('unlink', path, async (dir, name) => {
      this.#notRoot(name, 'unlink', path);
      await fsp.unlink(dir.at(name));
    });
  }
  /** @inheritDoc */
  rmdir(path: string): Promise<void> {
    return this.#inParent('rmdir', path, async (dir, name) => {
      this.#notRoot(name, 'rmdir', path);
      await fsp.rmdir(dir.at(name));
    });
  }
  /** @inheritDoc */
  rm(path: string, options: RmOptions = {}): Promise<void> {
    return this.#inParent('rm', path, async (dir, name, where) => {
      this.#notRoot(name, 'rm', path);
      let st: Stats;
      try {
        st = lstatSync(dir.at(name));
      } catch (e) {
        if (options.force && (e as { code?: string }).code === 'ENOENT') return;
        throw e;
      }
      if (!st.isDirectory()) return fsp.unlink(dir.at(name));
      if (!options.recursive) throw new FsError('EISDIR', 'rm', path);
      await removeTree(this.#tree, dir, name, where);
    }).catch((e: unknown) => {
      if (options.force && e instanceof FsError && e.code === 'ENOENT') return;
      throw e;
    });
  }
  /** @inheritDoc */
  rename(from: string, to: string): Promise<void> {
    return this.#inParent('rename', from, (a, an) => this.#inParent('rename', to, async (b, bn) => {
      this.#notRoot(an, 'rename', from);
      this.#notRoot(bn, 'rename', to);
      await fsp.rename(a.at(an), b.at(bn));
    }), to);
  }
  /** @inheritDoc */
  symlink(target: string, path: string): Promise<void> {
    return this.#inParent('symlink', path, async (dir, name) => {
      this.#notRoot(name, 'symlink', path, 'EEXIST');
      await fsp.symlink(target, dir.at(name));
    });
  }
  /** @inheritDoc */
  readlink(path: string): Promise<string> {
    return this.#inParent('readlink', path, async (dir, name) => {
      this.#notRoot(name, 'readlink', path, 'EINVAL');
      return fsp.readlink(dir.at(name));
    });
  }
  /** @inheritDoc */
  link(existingPath: string, newPath: string): Promise<void> {
    // link(2) does not follow a final symlink in `existingPath`: it links the link itself.
    return this.#inParent('link', existingPath, (a, an) => this.#inParent('link', newPath, async (b, bn) => {
      if (an === '') throw new FsError('EPERM', 'link', existingPath, newPath);
      this.#notRoot(bn, 'link', newPath, 'EEXIST');
      await fsp.link(a.at(an), b.at(bn));
    }), newPath);
  }
  /** @inheritDoc */
  async realpath(path: string): Promise<string> {
    // Physical: a path that stats without meeting a link is its own real path.
    await this.stat(path);
    return `/${toLayerPath(path)}`;
  }
  /** Stats an entry; a final symlink is ELOOP (this filesystem never follows one). */
  async stat(path: string): Promise<FileStats> {
    const st = await this.lstat(path);
    if (st.isSymbolicLink()) throw new FsError('ELOOP', 'stat', path);
    return st;
  }
  /** @inheritDoc */
  lstat(path: string): Promise<FileStats> {
    return this.#inParent('lstat', path, async (dir, name) => statsOf(name === '' ? dir.stat() : lstatSync(dir.at(name))));
  }
  /** {@inheritDoc FileSystemApi.lstatChain} Links are never followed (this one is physical). */
  lstatChain(dir: string, names: readonly string[]): Promise<ChainStats> {
    const base = toLayerPath(dir);
    const parts = base === '' ? [] : base.split('/');
    return this.#call('lstat', dir, () => this.#tree.withDir(parts, async (start) => {
      const types: EntryType[] = [];
      const opened: HostDir[] = [];
      let cur = start;
      let where = base;
      let last: Stats | undefined;
      let target: string | undefined;
      try {
        for (let i = 0; i < names.length; i++) {
          const name = names[i]!;
          try {
            last = lstatSync(cur.at(name));
          } catch (e) {
            if ((e as { code?: string }).code === 'ENOENT') break;
            throw e;
          }
          types.push(typeOf(last));
          if (last.isSymbolicLink()) target = readlinkSync(cur.at(name));
          if (!last.isDirectory() || i === names.length - 1) break;
          where = where === '' ? name : `${where}/${name}`;
          cur = this.#tree.openChild(cur, name, where);
          opened.push(cur);
        }
      } finally {
        for (const d of opened.reverse()) d.release();
      }
      const found = types.length === 0 ? undefined : last;
      return { types, stats: () => (found === undefined ? undefined : statsOf(found)), target };
    }));
  }
  /** @inheritDoc */
  chmod(path: string, mode: number): Promise<void> {
    return this.#inParent('chmod', path, (dir, name, where) => this.#tree.pinned(dir, name, where, (p) => fsp.chmod(p, mode)));
  }
  /** @inheritDoc */
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#inParent('chown', path, (dir, name, where) => this.#tree.pinned(dir, name, where, (p) => fsp.chown(p, uid, gid)));
  }
  /** @inheritDoc */
  utimes(path: string, mtime: Date): Promise<void> {
    return this.#inParent('utime', path, (dir, name, where) => this.#tree.pinned(dir, name, where, (p) => fsp.utimes(p, mtime, mtime)));
  }
}

const known = new Set(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'ELOOP', 'EXDEV', 'EINVAL', 'EROFS', 'EPERM', 'EACCES', 'EBUSY']);

function typeOf(s: Stats): EntryType {
  return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink'
    : s.isCharacterDevice() ? 'char' : s.isBlockDevice() ? 'block' : 'fifo';
}

function statsOf(s: Stats): FileStats {
  const type = typeOf(s);
  return {
    type,
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    size: type === 'directory' ? 0 : s.size,
    mtime: s.mtime,
    nlink: s.nlink,
    isFile: () => type === 'file',
    isDirectory: () => type === 'directory',
    isSymbolicLink: () => type === 'symlink',
  };
}
