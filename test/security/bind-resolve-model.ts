/**
 * A reference resolver for the bind-mount property test, written from the rules rather than
 * from the implementation: the container's whole namespace is flattened into one map (each
 * mount's content laid over its target, hiding what was below), and paths resolve in it the
 * textbook way (namei): names one by one, a symlink's target resolved recursively from `/`
 * or from the link's directory, `..` one level up in the namespace (never above `/`), 40
 * links in all.
 */
import type { FileSystemApi } from '../../src/fs-union/fs-api.js';

/** An entry of the model. */
export interface ModelNode {
  type: 'directory' | 'file' | 'symlink' | 'other';
  target?: string;
  /** A directory only the mount table makes: nothing can be created in it. */
  virtual?: boolean;
}

/** The flattened namespace: container path (root-relative, `''` for `/`) -> entry. */
export type Flat = Map<string, ModelNode>;

/** Where the reference resolver lands. */
export type ModelResult = { path: string; node: ModelNode | undefined } | { error: 'ENOENT' | 'ENOTDIR' | 'ELOOP' };

/** Reads a filesystem's tree without following links: relative path -> entry. */
export async function readTree(fs: FileSystemApi): Promise<Map<string, ModelNode>> {
  const out = new Map<string, ModelNode>();
  const dirs = [''];
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    for (const name of await fs.readdir(`/${dir}`)) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const st = await fs.lstat(`/${path}`);
      if (st.isSymbolicLink()) out.set(path, { type: 'symlink', target: await fs.readlink(`/${path}`) });
      else if (st.isDirectory()) {
        out.set(path, { type: 'directory' });
        dirs.push(path);
      } else out.set(path, { type: st.isFile() ? 'file' : 'other' });
    }
  }
  return out;
}

/** Lays `mounts` (target -> tree of the mounted filesystem) over the root's tree. */
export function flatten(root: Map<string, ModelNode>, mounts: { target: string; tree: Map<string, ModelNode>; rootType?: ModelNode['type'] }[]): Flat {
  const flat: Flat = new Map(root);
  flat.set('', { type: 'directory' });
  // Shallow mounts first: a nested mount is laid over its parent's content.
  for (const m of [...mounts].sort((a, b) => a.target.length - b.target.length)) {
    for (const key of [...flat.keys()]) if (key === m.target || key.startsWith(`${m.target}/`)) flat.delete(key);
    flat.set(m.target, { type: m.rootType ?? 'directory' });
    // A mount hangs from directories; where the filesystem below has none, they exist anyway.
    for (let i = m.target.indexOf('/'); i > 0; i = m.target.indexOf('/', i + 1)) {
      if (!flat.has(m.target.slice(0, i))) flat.set(m.target.slice(0, i), { type: 'directory', virtual: true });
    }
    for (const [p, node] of m.tree) flat.set(`${m.target}/${p}`, node);
  }
  return flat;
}

class Failure {
  constructor(readonly code: 'ENOENT' | 'ENOTDIR' | 'ELOOP') {}
}

/** Resolves `path` in `flat`, following a final link when `follow`. */
export function modelResolve(flat: Flat, path: string, follow: boolean): ModelResult {
  let links = 0;
  const isDir = (p: string[]): boolean => flat.get(p.join('/'))?.type === 'directory';

  // Resolves `names` starting in directory `start`; returns the resolved names and whether the
  // last one exists.
  const walk = (start: string[], names: string[], followLast: boolean): { at: string[]; exists: boolean } => {
    let at = start;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const last = i === names.length - 1;
      if (!isDir(at)) throw new Failure('ENOTDIR');
      if (name === '.') continue;
      if (name === '..') {
        at = at.slice(0, -1);
        continue;
      }
      const next = [...at, name];
      const node = flat.get(next.join('/'));
      if (node === undefined) {
        if (last) return { at: next, exists: false };
        throw new Failure('ENOENT');
      }
      if (node.type === 'symlink' && (!last || followLast)) {
        if (++links > 40) throw new Failure('ELOOP');
        const target = node.target!;
        if (target === '') throw new Failure('ENOENT');
        const r = walk(target.startsWith('/') ? [] : at, target.split('/').filter((p) => p !== ''), last ? followLast : true);
        if (!r.exists && !last) throw new Failure('ENOENT');
        at = r.at;
        if (last) return r;
        continue;
      }
      at = next;
    }
    return { at, exists: true };
  };

  const trailing = path.length > 1 && path.endsWith('/');
  try {
    const r = walk([], path.split('/').filter((p) => p !== ''), follow || trailing);
    const key = r.at.join('/');
    const node = r.exists ? flat.get(key) : undefined;
    if (trailing && node !== undefined && node.type !== 'directory') return { error: 'ENOTDIR' };
    return { path: key, node };
  } catch (e) {
    if (e instanceof Failure) return { error: e.code };
    throw e;
  }
}
