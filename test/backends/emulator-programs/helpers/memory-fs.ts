/**
 * A small in-memory FileSystemApi for the program tests: directories, files, symlinks with
 * chrooted resolution, modes and owners. Errors are FsErrors with Node's codes.
 */
import { posix } from 'node:path';
import { FsError } from '../../../../src/fs-union/errors.js';
import type { EntryType, FileStats, FileSystemApi, MkdirOptions, RmOptions, WriteFileOptions } from '../../../../src/fs-union/fs-api.js';

interface Node {
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  data?: Buffer;
  target?: string;
  children?: Map<string, Node>;
}

function stats(n: Node): FileStats {
  return {
    type: n.type,
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    size: n.type === 'file' ? n.data!.length : n.type === 'symlink' ? n.target!.length : 0,
    mtime: n.mtime,
    nlink: 1,
    isFile: () => n.type === 'file',
    isDirectory: () => n.type === 'directory',
    isSymbolicLink: () => n.type === 'symlink',
  };
}

/** The in-memory filesystem. */
export class MemoryFs implements FileSystemApi {
  #root: Node = { type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(), children: new Map() };

  #walk(path: string, follow: boolean, syscall: string, depth = 0): { node: Node | undefined; parent: Node; name: string; real: string } {
    if (depth > 40) throw new FsError('ELOOP', syscall, path);
    const parts = posix.resolve('/', path).split('/').filter(Boolean);
    let cur = this.#root;
    let real = '/';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const last = i === parts.length - 1;
      if (cur.type !== 'directory') throw new FsError('ENOTDIR', syscall, path);
      const child = cur.children!.get(name);
      if (!child) {
        if (last) return { node: undefined, parent: cur, name, real: posix.join(real, name) };
        throw new FsError('ENOENT', syscall, path);
      }
      if (child.type === 'symlink' && (!last || follow)) {
        const target = child.target!.startsWith('/') ? child.target! : posix.join(real, child.target!);
        const rest = parts.slice(i + 1).join('/');
        return this.#walk(posix.join(target, rest), follow, syscall, depth + 1);
      }
      if (last) return { node: child, parent: cur, name, real: posix.join(real, name) };
      cur = child;
      real = posix.join(real, name);
    }
    return { node: this.#root, parent: this.#root, name: '', real: '/' };
  }

  #get(path: string, follow: boolean, syscall: string): Node {
    const r = this.#walk(path, follow, syscall);
    if (!r.node) throw new FsError('ENOENT', syscall, path);
    return r.node;
  }

  async readFile(path: string): Promise<Buffer> {
    const n = this.#get(path, true, 'open');
    if (n.type === 'directory') throw new FsError('EISDIR', 'read', path);
    return Buffer.from(n.data ?? Buffer.alloc(0));
  }

  async writeFile(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<void> {
    const r = this.#walk(path, true, 'open');
    const buf = Buffer.from(typeof data === 'string' ? Buffer.from(data) : data);
    if (r.node) {
      if (r.node.type === 'directory') throw new FsError('EISDIR', 'open', path);
      if (options.flag === 'wx') throw new FsError('EEXIST', 'open', path);
      r.node.data = options.flag === 'a' ? Buffer.concat([r.node.data!, buf]) : buf;
      r.node.mtime = new Date();
      return;
    }
    r.parent.children!.set(r.name, { type: 'file', mode: options.mode ?? 0o644, uid: options.uid ?? 0, gid: options.gid ?? 0, mtime: new Date(), data: buf });
  }

  async appendFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.writeFile(path, data, { flag: 'a' });
  }

  async readdir(path: string): Promise<string[]> {
    const n = this.#get(path, true, 'scandir');
    if (n.type !== 'directory') throw new FsError('ENOTDIR', 'scandir', path);
    return [...n.children!.keys()].sort();
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    if (options.recursive) {
      const parts = posix.resolve('/', path).split('/').filter(Boolean);
      let cur = '/';
      for (const p of parts) {
        cur = posix.join(cur, p);
        const r = this.#walk(cur, true, 'mkdir');
        if (r.node) {
          if (r.node.type !== 'directory') throw new FsError('ENOTDIR', 'mkdir', path);
          continue;
        }
        r.parent.children!.set(r.name, { type: 'directory', mode: options.mode ?? 0o755, uid: 0, gid: 0, mtime: new Date(), children: new Map() });
      }
      return;
    }
    const r = this.#walk(path, false, 'mkdir');
    if (r.node) throw new FsError('EEXIST', 'mkdir', path);
    r.parent.children!.set(r.name, { type: 'directory', mode: options.mode ?? 0o755, uid: 0, gid: 0, mtime: new Date(), children: new Map() });
  }

  async unlink(path: string): Promise<void> {
    const r = this.#walk(path, false, 'unlink');
    if (!r.node) throw new FsError('ENOENT', 'unlink', path);
    if (r.node.type === 'directory') throw new FsError('EISDIR', 'unlink', path);
    r.parent.children!.delete(r.name);
  }

  async rmdir(path: string): Promise<void> {
    const r = this.#walk(path, false, 'rmdir');
    if (!r.node) throw new FsError('ENOENT', 'rmdir', path);
    if (r.node.type !== 'directory') throw new FsError('ENOTDIR', 'rmdir', path);
    if (r.node.children!.size > 0) throw new FsError('ENOTEMPTY', 'rmdir', path);
    r.parent.children!.delete(r.name);
  }

  async rm(path: string, options: RmOptions = {}): Promise<void> {
    const r = this.#walk(path, false, 'rm');
    if (!r.node) {
      if (options.force) return;
      throw new FsError('ENOENT', 'rm', path);
    }
    if (r.node.type === 'directory' && !options.recursive) throw new FsError('EISDIR', 'rm', path);
    r.parent.children!.delete(r.name);
  }

  async rename(from: string, to: string): Promise<void> {
    const a = this.#walk(from, false, 'rename');
    if (!a.node) throw new FsError('ENOENT', 'rename', from, to);
    const b = this.#walk(to, false, 'rename');
    a.parent.children!.delete(a.name);
    b.parent.children!.set(b.name, a.node);
  }

  async symlink(target: string, path: string): Promise<void> {
    const r = this.#walk(path, false, 'symlink');
    if (r.node) throw new FsError('EEXIST', 'symlink', target, path);
    r.parent.children!.set(r.name, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: new Date(), target });
  }

  async readlink(path: string): Promise<string> {
    const n = this.#get(path, false, 'readlink');
    if (n.type !== 'symlink') throw new FsError('EINVAL', 'readlink', path);
    return n.target!;
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    const n = this.#get(existingPath, false, 'link');
    const r = this.#walk(newPath, false, 'link');
    if (r.node) throw new FsError('EEXIST', 'link', existingPath, newPath);
    r.parent.children!.set(r.name, n);
  }

  async realpath(path: string): Promise<string> {
    const r = this.#walk(path, true, 'realpath');
    if (!r.node) throw new FsError('ENOENT', 'realpath', path);
    return r.real;
  }

  async stat(path: string): Promise<FileStats> {
    return stats(this.#get(path, true, 'stat'));
  }

  async lstat(path: string): Promise<FileStats> {
    return stats(this.#get(path, false, 'lstat'));
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.#get(path, true, 'chmod').mode = mode & 0o7777;
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const n = this.#get(path, true, 'chown');
    n.uid = uid;
    n.gid = gid;
  }

  async utimes(path: string, mtime: Date): Promise<void> {
    this.#get(path, true, 'utimes').mtime = mtime;
  }
}
