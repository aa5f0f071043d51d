/**
 * A {@link FileSystemApi} over a real host directory, for bind mounts.
 *
 * Paths are cleaned lexically before they are joined to the host directory, so `..` never
 * climbs above the mount's source (as inside a chroot). Node's errors become {@link FsError}s
 * with the same codes, so programs see one kind of error whichever mount they touch.
 *
 * @module
 */
import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { FsError, type FsErrorCode } from '../../../fs-union/errors.js';
import type { FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';

/** A filesystem view of the host directory `root`. */
export class HostDirectoryFs implements FileSystemApi {
  readonly #root: string;

  /** @param root an absolute host path; it should exist (bind mounts create it first) */
  constructor(root: string) {
    this.#root = root;
  }

  #host(path: string): string {
    return join(this.#root, toLayerPath(path));
  }

  async #call<T>(syscall: string, path: string, op: () => Promise<T>, dest?: string): Promise<T> {
    try {
      return await op();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && known.has(code)) throw new FsError(code as FsErrorCode, syscall, path, dest);
      throw e;
    }
  }

  /** @inheritDoc */
  readFile(path: string): Promise<Buffer> {
    return this.#call('open', path, () => fsp.readFile(this.#host(path)));
  }
  /** @inheritDoc */
  writeFile(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<void> {
    return this.#call('open', path, () => fsp.writeFile(this.#host(path), data, { mode: options.mode ?? 0o644, flag: options.flag ?? 'w' }));
  }
  /** @inheritDoc */
  appendFile(path: string, data: string | Uint8Array): Promise<void> {
    return this.#call('open', path, () => fsp.appendFile(this.#host(path), data));
  }
  /** @inheritDoc */
  async readdir(path: string): Promise<string[]> {
    return (await this.#call('scandir', path, () => fsp.readdir(this.#host(path)))).sort();
  }
  /** @inheritDoc */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    await this.#call('mkdir', path, () => fsp.mkdir(this.#host(path), { recursive: options.recursive ?? false, mode: options.mode ?? 0o755 }));
  }
  /** @inheritDoc */
  unlink(path: string): Promise<void> {
    return this.#call('unlink', path, () => fsp.unlink(this.#host(path)));
  }
  /** @inheritDoc */
  rmdir(path: string): Promise<void> {
    return this.#call('rmdir', path, () => fsp.rmdir(this.#host(path)));
  }
  /** @inheritDoc */
  rm(path: string, options: RmOptions = {}): Promise<void> {
    return this.#call('rm', path, () => fsp.rm(this.#host(path), { recursive: options.recursive ?? false, force: options.force ?? false }));
  }
  /** @inheritDoc */
  rename(from: string, to: string): Promise<void> {
    return this.#call('rename', from, () => fsp.rename(this.#host(from), this.#host(to)), to);
  }
  /** @inheritDoc */
  symlink(target: string, path: string): Promise<void> {
    return this.#call('symlink', target, () => fsp.symlink(target, this.#host(path)), path);
  }
  /** @inheritDoc */
  readlink(path: string): Promise<string> {
    return this.#call('readlink', path, () => fsp.readlink(this.#host(path)));
  }
  /** @inheritDoc */
  link(existingPath: string, newPath: string): Promise<void> {
    return this.#call('link', existingPath, () => fsp.link(this.#host(existingPath), this.#host(newPath)), newPath);
  }
  /** @inheritDoc */
  async realpath(path: string): Promise<string> {
    // Resolved inside the mount: a link pointing outside is taken as it reads, chrooted.
    await this.lstat(path);
    return `/${toLayerPath(path)}`;
  }
  /** @inheritDoc */
  async stat(path: string): Promise<FileStats> {
    return statsOf(await this.#call('stat', path, () => fsp.stat(this.#host(path))));
  }
  /** @inheritDoc */
  async lstat(path: string): Promise<FileStats> {
    return statsOf(await this.#call('lstat', path, () => fsp.lstat(this.#host(path))));
  }
  /** @inheritDoc */
  chmod(path: string, mode: number): Promise<void> {
    return this.#call('chmod', path, () => fsp.chmod(this.#host(path), mode));
  }
  /** @inheritDoc */
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#call('chown', path, () => fsp.lchown(this.#host(path), uid, gid));
  }
  /** @inheritDoc */
  utimes(path: string, mtime: Date): Promise<void> {
    return this.#call('utime', path, () => fsp.utimes(this.#host(path), mtime, mtime));
  }
}

const known = new Set(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'ELOOP', 'EXDEV', 'EINVAL', 'EROFS', 'EPERM', 'EACCES', 'EBUSY']);

function statsOf(s: Stats): FileStats {
  const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink'
    : s.isCharacterDevice() ? 'char' : s.isBlockDevice() ? 'block' : 'fifo';
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
