/**
 * A flat in-memory filesystem used as the model in property tests: one map from path to node,
 * no layers, no copy-up, no whiteouts. Its path resolution follows the same chroot rules the
 * union view documents, so any difference the tests find comes from the layering.
 */
import type { Layer } from '../../src/fs-union/index.js';

/** A node of the model. */
export type RefNode = { t: 'f'; data: Buffer; mode: number } | { t: 'd'; mode: number } | { t: 'l'; target: string };

/** A model failure carrying the POSIX code the union view should give too. */
export class RefError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);
const parent = (p: string): string => (p.lastIndexOf('/') < 0 ? '' : p.slice(0, p.lastIndexOf('/')));
const within = (p: string, dir: string): boolean => dir === '' || p === dir || p.startsWith(`${dir}/`);

/** The flat model filesystem. */
export class RefFs {
  readonly m = new Map<string, RefNode>([['', { t: 'd', mode: 0o755 }]]);

  /** Seeds the model from layers, bottom first, reading only what each layer says. */
  static fromLayers(layers: readonly Layer[]): RefFs {
    const fs = new RefFs();
    for (const layer of layers) {
      for (const w of layer.whiteouts()) fs.#dropTree(w);
      for (const o of layer.opaqueDirs()) if (fs.m.get(o)?.t === 'd') fs.#dropBelow(o);
      for (const e of layer.entries()) {
        if (e.path === '') {
          fs.m.set('', { t: 'd', mode: e.mode });
          continue;
        }
        const parts = e.path.split('/');
        for (let i = 1; i < parts.length; i++) {
          const a = parts.slice(0, i).join('/');
          if (fs.m.get(a)?.t !== 'd') {
            fs.#dropTree(a);
            fs.m.set(a, { t: 'd', mode: 0o755 });
          }
        }
        const existing = fs.m.get(e.path);
        const node: RefNode =
          e.type === 'file' ? { t: 'f', data: e.content.data, mode: e.mode } : e.type === 'directory' ? { t: 'd', mode: e.mode } : { t: 'l', target: e.type === 'symlink' ? e.target : '' };
        if (existing !== undefined && (existing.t !== 'd' || node.t !== 'd')) fs.#dropTree(e.path);
        fs.m.set(e.path, node);
      }
    }
    return fs;
  }

  #dropBelow(dir: string): void {
    for (const k of [...this.m.keys()]) if (k !== dir && within(k, dir) && k !== '') this.m.delete(k);
  }

  #dropTree(p: string): void {
    this.#dropBelow(p);
    if (p !== '') this.m.delete(p);
  }

  resolve(userPath: string, follow: boolean): { path: string; node: RefNode | undefined } {
    const stack: string[] = [];
    const pending = userPath.split('/').filter((p) => p !== '' && p !== '.');
    let hops = 0;
    let node = this.m.get('');
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '..') {
        stack.pop();
        node = this.m.get(stack.join('/'));
        continue;
      }
      if (node === undefined) throw new RefError('ENOENT');
      if (node.t !== 'd') throw new RefError('ENOTDIR');
      const path = join(stack.join('/'), name);
      const child = this.m.get(path);
      if (child?.t === 'l' && (pending.length > 0 || follow)) {
        if (++hops > 40) throw new RefError('ELOOP');
        if (child.target.startsWith('/')) stack.length = 0;
        pending.unshift(...child.target.split('/').filter((p) => p !== '' && p !== '.'));
        node = this.m.get(stack.join('/'));
        continue;
      }
      stack.push(name);
      node = child;
    }
    return { path: stack.join('/'), node };
  }

  children(dir: string): string[] {
    const out: string[] = [];
    for (const k of this.m.keys()) if (k !== '' && parent(k) === dir) out.push(k.slice(dir === '' ? 0 : dir.length + 1));
    return out.sort();
  }

  writeFile(p: string, data: Buffer): void {
    const { path, node } = this.resolve(p, true);
    if (path === '' || node?.t === 'd') throw new RefError('EISDIR');
    if (node?.t === 'f') {
      // In place: hard links are one node held under several paths.
      node.data = data;
      return;
    }
    this.m.set(path, { t: 'f', data, mode: 0o644 });
  }

  mkdir(p: string, recursive: boolean): void {
    if (!recursive) {
      const { path, node } = this.resolve(p, false);
      if (node !== undefined) throw new RefError('EEXIST');
      this.m.set(path, { t: 'd', mode: 0o755 });
      return;
    }
    const parts = p.split('/').filter((x) => x !== '');
    let prefix = '';
    for (const part of parts) {
      prefix = `${prefix}/${part}`;
      const { path, node } = this.resolve(prefix, true);
      if (node?.t === 'd') continue;
      if (node !== undefined) throw new RefError(prefix === `/${parts.join('/')}` ? 'EEXIST' : 'ENOTDIR');
      this.m.set(path, { t: 'd', mode: 0o755 });
    }
  }

  unlink(p: string): void {
    const { path, node } = this.resolve(p, false);
    if (node === undefined) throw new RefError('ENOENT');
    if (node.t === 'd') throw new RefError('EISDIR');
    this.m.delete(path);
  }

  rmdir(p: string): void {
    const { path, node } = this.resolve(p, false);
    if (node === undefined) throw new RefError('ENOENT');
    if (node.t !== 'd') throw new RefError('ENOTDIR');
    if (path === '') throw new RefError('EBUSY');
    if (this.children(path).length > 0) throw new RefError('ENOTEMPTY');
    this.m.delete(path);
  }

  rmRecursive(p: string): void {
    const { path, node } = this.resolve(p, false);
    if (node === undefined) throw new RefError('ENOENT');
    if (path === '') throw new RefError('EBUSY');
    this.#dropTree(path);
  }

  rename(from: string, to: string): void {
    const src = this.resolve(from, false);
    if (src.node === undefined) throw new RefError('ENOENT');
    const dst = this.resolve(to, false);
    if (src.path === dst.path) return;
    if (src.path === '' || dst.path === '') throw new RefError('EBUSY');
    if (within(dst.path, src.path)) throw new RefError('EINVAL');
    if (dst.node !== undefined) {
      if (src.node.t === 'd' && dst.node.t !== 'd') throw new RefError('ENOTDIR');
      if (src.node.t !== 'd' && dst.node.t === 'd') throw new RefError('EISDIR');
      if (dst.node.t === 'd' && this.children(dst.path).length > 0) throw new RefError('ENOTEMPTY');
    }
    const moved = [...this.m].filter(([k]) => k !== '' && within(k, src.path));
    this.#dropTree(src.path);
    if (dst.node !== undefined) this.#dropTree(dst.path);
    for (const [k, v] of moved) this.m.set(dst.path + k.slice(src.path.length), v);
  }

  symlink(target: string, p: string): void {
    const { path, node } = this.resolve(p, false);
    if (node !== undefined) throw new RefError('EEXIST');
    this.m.set(path, { t: 'l', target });
  }

  link(existing: string, p: string): void {
    const src = this.resolve(existing, false);
    if (src.node === undefined) throw new RefError('ENOENT');
    if (src.node.t === 'd') throw new RefError('EPERM');
    const dst = this.resolve(p, false);
    if (dst.node !== undefined) throw new RefError('EEXIST');
    this.m.set(dst.path, src.node);
  }

  chmod(p: string, mode: number): void {
    const { path, node } = this.resolve(p, true);
    if (node === undefined) throw new RefError('ENOENT');
    if (node.t === 'l') throw new Error('unreachable: chmod followed the link');
    void path;
    node.mode = mode & 0o7777;
  }

  /** The same description `snapshot()` gives for a view. */
  snapshot(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.m) {
      if (k === '') continue;
      if (v.t === 'f') out.set(`/${k}`, `f ${v.mode.toString(8)} ${v.data.toString('base64')}`);
      else if (v.t === 'd') out.set(`/${k}`, `d ${v.mode.toString(8)}`);
      else out.set(`/${k}`, `l 777 -> ${v.target}`);
    }
    return out;
  }
}
