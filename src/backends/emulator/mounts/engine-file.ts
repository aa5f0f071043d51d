/**
 * A single in-memory file mounted at one path, the way Docker bind-mounts `/etc/hosts`,
 * `/etc/hostname` and `/etc/resolv.conf` into a container: visible and writable inside,
 * never part of the container's layer (so never in `diff` or `commit`).
 *
 * @module
 */
import { FsError } from '../../../fs-union/errors.js';
import type { FileStats, FileSystemApi, WriteFileOptions } from '../../../fs-union/fs-api.js';
import { toLayerPath } from '../../../fs-union/paths.js';

/** A {@link FileSystemApi} whose root (`/`) is one regular file. */
export class EngineFile implements FileSystemApi {
  #static: Buffer | undefined;
  #source: (() => string) | undefined;
  #mode = 0o644;
  #mtime: Date;

  /**
   * @param content the file's bytes, or a function that renders them on every read (the
   *   engine's `/etc/hosts` follows network changes this way, as Docker rewrites it) until a
   *   program writes the file itself
   */
  constructor(content: string | Uint8Array | (() => string), mtime: Date) {
    if (typeof content === 'function') this.#source = content;
    else this.#static = Buffer.from(content);
    this.#mtime = mtime;
  }

  /** The current content. */
  get content(): Buffer {
    return this.#static ?? Buffer.from(this.#source ? this.#source() : '');
  }

  /** Replaces the content with fixed bytes. */
  set(content: string | Uint8Array, mtime: Date): void {
    this.#static = Buffer.from(content);
    this.#mtime = mtime;
  }

  #check(path: string, syscall: string): void {
    if (toLayerPath(path) !== '') throw new FsError('ENOTDIR', syscall, path);
  }

  /** @inheritDoc */
  async readFile(path: string): Promise<Buffer> {
    this.#check(path, 'open');
    return Buffer.from(this.content);
  }
  /** @inheritDoc */
  async writeFile(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<void> {
    this.#check(path, 'open');
    if (options.flag === 'wx') throw new FsError('EEXIST', 'open', path);
    const next = Buffer.from(data);
    this.#static = options.flag === 'a' ? Buffer.concat([this.content, next]) : next;
    this.#mtime = new Date();
  }
  /** @inheritDoc */
  async appendFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.writeFile(path, data, { flag: 'a' });
  }
  /** @inheritDoc */
  async readdir(path: string): Promise<string[]> {
    throw new FsError('ENOTDIR', 'scandir', path);
  }
  /** @inheritDoc */
  async mkdir(path: string): Promise<void> {
    throw new FsError('EEXIST', 'mkdir', path);
  }
  /** @inheritDoc */
  async unlink(path: string): Promise<void> {
    // Docker's bind-mounted files cannot be removed from inside either.
    throw new FsError('EBUSY', 'unlink', path);
  }
  /** @inheritDoc */
  async rmdir(path: string): Promise<void> {
    throw new FsError('ENOTDIR', 'rmdir', path);
  }
  /** @inheritDoc */
  async rm(path: string): Promise<void> {
    throw new FsError('EBUSY', 'rm', path);
  }
  /** @inheritDoc */
  async rename(from: string, to: string): Promise<void> {
    throw new FsError('EBUSY', 'rename', from, to);
  }
  /** @inheritDoc */
  async symlink(target: string, path: string): Promise<void> {
    throw new FsError('EEXIST', 'symlink', target, path);
  }
  /** @inheritDoc */
  async readlink(path: string): Promise<string> {
    throw new FsError('EINVAL', 'readlink', path);
  }
  /** @inheritDoc */
  async link(existingPath: string, newPath: string): Promise<void> {
    throw new FsError('EXDEV', 'link', existingPath, newPath);
  }
  /** @inheritDoc */
  async realpath(path: string): Promise<string> {
    this.#check(path, 'realpath');
    return '/';
  }
  /** @inheritDoc */
  async stat(path: string): Promise<FileStats> {
    this.#check(path, 'stat');
    const size = this.content.length;
    return {
      type: 'file', mode: this.#mode, uid: 0, gid: 0, size, mtime: this.#mtime, nlink: 1,
      isFile: () => true, isDirectory: () => false, isSymbolicLink: () => false,
    };
  }
  /** @inheritDoc */
  lstat(path: string): Promise<FileStats> {
    return this.stat(path);
  }
  /** @inheritDoc */
  async chmod(path: string, mode: number): Promise<void> {
    this.#check(path, 'chmod');
    this.#mode = mode & 0o7777;
  }
  /** @inheritDoc */
  async chown(path: string): Promise<void> {
    this.#check(path, 'chown');
  }
  /** @inheritDoc */
  async utimes(path: string, mtime: Date): Promise<void> {
    this.#check(path, 'utime');
    this.#mtime = mtime;
  }
}
