/**
 * Path resolution as the kernel does it inside a container: one component at a time, across
 * the container's mount table.
 *
 * Each filesystem of a container (the union view of its image, volumes, bind mounts, the
 * engine's files) knows only itself; a symlink in a bind mount pointing at `/etc/passwd`
 * means the container's `/etc/passwd`, which may be the union view or yet another mount, and
 * `..` from a mount's root is the mount point's parent. Only the view holding the whole mount
 * table can get that right, so this is where links are followed:
 *
 * - the resolved prefix is kept as a stack of names in the container's namespace, so `..`
 *   pops one (never above `/`), and can never climb above a mount's host directory;
 * - each name is looked up (lstat, never following) in the filesystem that owns that path,
 *   chosen by the longest mount target;
 * - a symlink is read and spliced in front of what is left of the path: an absolute target
 *   restarts at the container's root; 40 links at most, as Linux (`ELOOP`);
 * - the last component is followed or not, as the operation asks (`stat` vs `lstat`).
 *
 * The result names the owning filesystem and a path inside it that holds no symlink and no
 * `..`: operations then act on exactly that entry. A filesystem that can be changed
 * underneath (a host directory) refuses to follow a link that appeared since (ELOOP), and the
 * caller resolves again ({@link StaleResolution}).
 *
 * @module
 */
import { FsError } from '../../../fs-union/errors.js';
import type { ChainStats, EntryType, FileStats, FileSystemApi } from '../../../fs-union/fs-api.js';
import { VIRTUAL_DIRECTORY, type Location, type MountTable } from './mount-table.js';

export { MountTable, type Location, type MountPoint, type PhysicalFs } from './mount-table.js';

/** Linux's limit on symlinks followed in one lookup (`MAXSYMLINKS`). */
export const MAX_SYMLINKS = 40;

/** A resolved path and what is there (`stats` undefined: nothing, but its parent exists). */
export interface Resolved extends Location {
  /** The entry's kind (never a symlink when the last component was followed); undefined: missing. */
  type: EntryType | undefined;
  /** lstat of the entry, computed on demand (call only when `type` is set). */
  stats(): FileStats;
  /**
   * The entry is a directory only the mount table makes (see `MountTable.isMountAncestor`):
   * it holds the mount points below it and nothing else.
   */
  virtual?: boolean;
  /** The entry's target, when it is a symlink (as read during the walk). */
  target?: string;
}

/**
 * A host filesystem changed while a path was being resolved or used (a link appeared where a
 * directory was). The caller resolves again; it never reaches programs.
 *
 * @internal
 */
export class StaleResolution extends Error {
  constructor() {
    super('the path changed while it was resolved');
  }
}

function innerJoin(dir: string, names: readonly string[]): string {
  return dir === '/' ? `/${names.join('/')}` : `${dir}/${names.join('/')}`;
}

/**
 * Calls into a mount's filesystem on a resolved path: an ELOOP there means a link appeared
 * since the path was resolved (host directories refuse to follow links), so resolve again.
 */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof FsError && e.code === 'ELOOP') throw new StaleResolution();
    throw e;
  }
}

function chainStat(fs: FileSystemApi, dir: string, names: readonly string[]): Promise<ChainStats> {
  // Called straight when it can be: this is on the path of every call a program makes.
  const found = fs.lstatChain ? fs.lstatChain(dir, names) : statEach(fs, dir, names);
  return found.catch((e: unknown) => {
    // A link where the walk had found a directory: the host dir changed under us.
    if (e instanceof FsError && e.code === 'ELOOP') throw new StaleResolution();
    throw e;
  });
}

/** {@link FileSystemApi.lstatChain} for a filesystem without one: a stat per prefix. */
async function statEach(fs: FileSystemApi, dir: string, names: readonly string[]): Promise<ChainStats> {
  const types: EntryType[] = [];
  let last: FileStats | undefined;
  let lastFound: FileStats | undefined;
  for (let i = 0; i < names.length; i++) {
    try {
      last = await fs.lstat(innerJoin(dir, names.slice(0, i + 1)));
    } catch (e) {
      if (e instanceof FsError && e.code === 'ENOENT') break;
      throw e;
    }
    types.push(last.type);
    lastFound = last;
    if (!last.isDirectory()) break;
  }
  const found = lastFound;
  const target = found?.isSymbolicLink() ? await fs.readlink(innerJoin(dir, names.slice(0, types.length))) : undefined;
  return { types, stats: () => found, target };
}

/** What is at the path resolved so far. */
interface Here {
  type: EntryType | undefined;
  stats: () => FileStats | undefined;
  target: string | undefined;
  virtual: boolean;
}

const MISSING: Here = { type: undefined, stats: () => undefined, target: undefined, virtual: false };
const VIRTUAL: Here = { type: 'directory', stats: () => VIRTUAL_DIRECTORY, target: undefined, virtual: true };

/** Looks up the resolved path `path` itself (after `..` or a link, when nothing says what it is). */
async function lookUp(table: MountTable, path: string): Promise<Here> {
  const loc = table.locate(path);
  try {
    const st = await guarded(() => loc.fs.lstat(loc.inner));
    return { type: st.type, stats: () => st, target: undefined, virtual: false };
  } catch (e) {
    // Missing where a mount hangs below: a directory the mount table makes.
    if (e instanceof FsError && e.code === 'ENOENT' && table.isMountAncestor(path)) return VIRTUAL;
    throw e;
  }
}

/**
 * Resolves `userPath` (absolute; relative ones are taken from `/`) inside the container.
 *
 * @param followLast follow a final symlink (stat, open...) or not (lstat, unlink, rename...);
 *   a trailing `/` always follows, and asks for a directory
 * @throws FsError ENOENT (a missing directory on the way), ENOTDIR, ELOOP (over 40 links)
 * @throws StaleResolution when a host filesystem changed under the walk
 */
export async function resolveInContainer(table: MountTable, userPath: string, followLast: boolean, syscall: string): Promise<Resolved> {
  const trailingSlash = userPath.length > 1 && userPath.endsWith('/');
  const follow = followLast || trailingSlash;
  const fail = (code: 'ENOENT' | 'ENOTDIR' | 'ELOOP'): FsError => new FsError(code, syscall, userPath);
  // Names still to resolve, the next one last (a stack, so links splice in cheaply).
  const pending = userPath.split('/').filter((p) => p !== '').reverse();
  const stack: string[] = [];
  // What the stack names; undefined after `..` or a link (looked up when it matters).
  let here: Here | undefined;
  let links = 0;

  walk: while (pending.length > 0) {
    const name = pending.pop()!;
    // `.` stays; the name before it was checked to be a directory (it was not the last).
    if (name === '.') continue;
    if (name === '..') {
      stack.pop();
      here = undefined;
      continue;
    }
    const first = stack.length === 0 ? name : `${stack.join('/')}/${name}`;
    if (table.isMountRoot(first)) {
      // A mount's root: its own filesystem's `/`, whatever lies under it in the parent.
      const mountRoot = table.locate(first);
      const st = await guarded(() => mountRoot.fs.lstat('/'));
      if (pending.length > 0 && !st.isDirectory()) throw fail('ENOTDIR');
      stack.push(name);
      here = { type: st.type, stats: () => st, target: undefined, virtual: false };
      continue;
    }
    if (here === undefined && table.isMountAncestor(stack.join('/'))) here = await lookUp(table, stack.join('/'));
    if (here?.virtual) {
      // Only mount points and the directories leading to them exist in such a directory.
      stack.push(name);
      if (table.isMountAncestor(first)) here = VIRTUAL;
      else if (pending.length === 0) here = MISSING;
      else throw fail('ENOENT');
      continue;
    }
    const loc = table.locate(first);
    const fs = loc.fs;
    const dir = loc.inner.length === name.length + 1 ? '/' : loc.inner.slice(0, loc.inner.length - name.length - 1);
    // Plain names that stay in the same filesystem are looked up in one walk.
    const run = [name];
    for (let at = first; pending.length > 0; ) {
      const next = pending[pending.length - 1]!;
      if (next === '.' || next === '..') break;
      at = `${at}/${next}`;
      if (table.isMountRoot(at)) break;
      run.push(pending.pop()!);
    }
    const found = await chainStat(fs, dir, run);
    for (let i = 0; i < run.length; i++) {
      const kind = found.types[i];
      const last = i === run.length - 1 && pending.length === 0;
      if (kind === undefined) {
        for (let j = run.length - 1; j > i; j--) pending.push(run[j]!);
        for (let j = 0; j <= i; j++) stack.push(run[j]!);
        if (table.isMountAncestor(stack.join('/'))) here = VIRTUAL;
        // Only the final name may be missing: it is what a create makes.
        else if (last) here = MISSING;
        else throw fail('ENOENT');
        continue walk;
      }
      if (kind === 'symlink' && (!last || follow)) {
        if (++links > MAX_SYMLINKS) throw fail('ELOOP');
        // The chain stops at the first link: its target came with it.
        const to = found.target ?? '';
        if (to === '') throw fail('ENOENT');
        for (let j = run.length - 1; j > i; j--) pending.push(run[j]!);
        for (let j = 0; j < i; j++) stack.push(run[j]!);
        if (to.startsWith('/')) stack.length = 0;
        const parts = to.split('/');
        for (let j = parts.length - 1; j >= 0; j--) if (parts[j] !== '') pending.push(parts[j]!);
        here = undefined;
        continue walk;
      }
      if (!last && kind !== 'directory') throw fail('ENOTDIR');
    }
    stack.push(...run);
    here = { type: found.types[run.length - 1], stats: found.stats, target: found.target, virtual: false };
  }
  const path = stack.join('/');
  here ??= await lookUp(table, path);
  if (trailingSlash && here.type !== undefined && here.type !== 'directory') throw fail('ENOTDIR');
  const result = table.locate(path) as Resolved;
  result.type = here.type;
  const stats = here.stats;
  result.stats = () => stats()!;
  if (here.target !== undefined) result.target = here.target;
  if (here.virtual) result.virtual = true;
  return result;
}
