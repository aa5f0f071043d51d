/**
 * Tar streams in and out of a container's filesystem: `docker cp` both ways and
 * `docker export`.
 *
 * Output goes through fs-union's deterministic packer, pulled lazily so a large tree is never
 * held in memory. Paths are resolved inside the container first, as Docker resolves them: the
 * directory part follows symlinks (relative to the container's root and its mounts, never the
 * host's), and so does the destination of an extraction; a final symlink is archived as the
 * link unless the path ends in `/`. Input is checked the way Docker's archive code checks it:
 * names are cleaned, anything that climbs out of the destination is refused, and so is a
 * relative symlink that points above it. Entries are then written through the container's
 * filesystem, so a symlink met on the way resolves inside the container (a tar that plants
 * `a -> /etc` and then `a/passwd` writes the container's `/etc/passwd`, as in Docker, never
 * a host file). A hard link must name a file inside the destination tree, on the same
 * filesystem, and its target's metadata is never touched.
 *
 * @module
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError, throwIfAborted } from '../../../core/errors.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import { cleanEntryName, isWithin, toLayerPath } from '../../../fs-union/paths.js';
import { packTar, type TarRecord } from '../../../fs-union/tar-writer.js';
import { putArchiveEntries } from './archive-input.js';

/**
 * A tar of `path` named by its base name (`/etc/hosts` -> `hosts`, `/data` -> `data/...`).
 *
 * @throws NotFoundError `Could not find the file <path> in container <id>`
 */
export async function archivePath(fs: FileSystemApi, path: string, containerId: string, signal?: AbortSignal): Promise<Readable> {
  throwIfAborted(signal);
  const abs = posix.resolve('/', path);
  // `dir/` and `dir/.` ask for what a final link points at; otherwise the link itself.
  const follow = abs !== '/' && /\/\.?$/.test(path);
  let real: string;
  try {
    real = follow ? await fs.realpath(abs) : posix.join(await fs.realpath(posix.dirname(abs)), posix.basename(abs));
    await fs.lstat(real);
  } catch (e) {
    throw new NotFoundError(`Could not find the file ${path} in container ${containerId}`, { cause: e, details: { path, container: containerId } });
  }
  const name = abs === '/' ? '' : posix.basename(abs);
  return packTar(walk(fs, real, name, signal), signal ? { signal } : {});
}

/** A tar of the whole filesystem, `docker export` style (entries without a leading `/`). */
export function exportTree(fs: FileSystemApi, signal?: AbortSignal): Readable {
  return packTar(walk(fs, '/', '', signal), signal ? { signal } : {});
}

async function* walk(fs: FileSystemApi, path: string, name: string, signal?: AbortSignal): AsyncGenerator<TarRecord> {
  throwIfAborted(signal);
  const st = await fs.lstat(path);
  const base = { name, mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime };
  switch (st.type) {
    case 'directory': {
      if (name !== '') yield { ...base, type: 'directory' };
      for (const child of await fs.readdir(path)) {
        yield* walk(fs, posix.join(path, child), name === '' ? child : `${name}/${child}`, signal);
      }
      return;
    }
    case 'file':
      yield { ...base, type: 'file', data: await fs.readFile(path) };
      return;
    case 'symlink':
      yield { ...base, type: 'symlink', linkname: await fs.readlink(path) };
      return;
    case 'char':
    case 'block':
      yield { ...base, type: st.type, devMajor: st.devMajor ?? 0, devMinor: st.devMinor ?? 0 };
      return;
    case 'fifo':
      yield { ...base, type: 'fifo' };
  }
}

/**
 * Unpacks `tar` into the existing directory `path` of `fs` (resolved inside the container).
 *
 * @throws NotFoundError when `path` does not exist; InvalidArgumentError when it is not a
 *   directory, an entry would land outside it, a link in it points outside it, or the bytes
 *   are not a well-formed tar (Docker's `Error processing tar file...` texts)
 */
export async function extractInto(fs: FileSystemApi, path: string, tar: Readable, containerId: string, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  let dest: string;
  let st;
  try {
    // Docker resolves the destination in the container, following links all the way.
    dest = await fs.realpath(posix.resolve('/', path));
    st = await fs.stat(dest);
  } catch (e) {
    throw new NotFoundError(`Could not find the file ${path} in container ${containerId}`, { cause: e, details: { path, container: containerId } });
  }
  if (!st.isDirectory()) throw new InvalidArgumentError(`extraction point is not a directory`, { details: { path } });
  for await (const entry of putArchiveEntries(tar, signal)) {
    throwIfAborted(signal);
    const header = entry.header;
    let rel: string;
    try {
      rel = cleanEntryName(header.name);
    } catch (e) {
      throw new InvalidArgumentError(`refusing to extract ${JSON.stringify(header.name)}: it climbs out of the destination`, { cause: e });
    }
    const target = rel === '' ? dest : posix.join(dest, rel);
    if (rel === '' && header.type !== 'directory') continue;
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);
    // Tars made by hand often name files without their directories first, as tar accepts.
    if (rel.includes('/')) await fs.mkdir(posix.dirname(target), { recursive: true });
    // As Docker: whatever is in the way goes, unless a directory meets a directory.
    const existing = rel === '' ? st : await fs.lstat(target).catch(() => undefined);
    const keep = existing?.isDirectory() === true && header.type === 'directory';
    if (existing !== undefined && !keep) await fs.rm(target, { recursive: true, force: true });
    switch (header.type) {
      case 'directory':
        if (!keep) await fs.mkdir(target, { mode });
        break;
      case 'file':
        // `wx`: never write through a link that appeared at this name meanwhile.
        await fs.writeFile(target, entry.data, { mode, uid: header.uid ?? 0, gid: header.gid ?? 0, flag: 'wx' });
        break;
      case 'symlink':
        await fs.symlink(checkedSymlink(header.name, rel, header.linkname ?? ''), target);
        continue;
      case 'link':
        await fs.link(await hardLinkSource(fs, dest, header.name, header.linkname ?? ''), target).catch((e: unknown) => {
          throw new InvalidArgumentError(`refusing hard link ${JSON.stringify(header.name)}: ${(e as Error).message}`, { cause: e });
        });
        // A hard link shares its target's inode: its times are the target's, left alone.
        continue;
      default:
        // Devices and fifos cannot be made through the filesystem API; Docker needs root too.
        continue;
    }
    await fs.utimes(target, mtime).catch(() => undefined);
  }
}

/** A symlink entry's target, refused when it is relative and climbs above the destination. */
function checkedSymlink(name: string, rel: string, linkname: string): string {
  if (!linkname.startsWith('/')) {
    try {
      cleanEntryName(posix.join(posix.dirname(rel), linkname));
    } catch (e) {
      throw new InvalidArgumentError(`invalid symlink ${JSON.stringify(name)} -> ${JSON.stringify(linkname)}: it points out of the destination`, { cause: e, details: { entry: name } });
    }
  }
  return linkname;
}

/**
 * Where a hard link entry points, resolved in the container (links on the way followed, the
 * last name not): it must lie inside the destination tree, or the entry is refused.
 */
async function hardLinkSource(fs: FileSystemApi, dest: string, name: string, linkname: string): Promise<string> {
  let source: string;
  try {
    const lexical = posix.join(dest, cleanEntryName(linkname));
    source = posix.join(await fs.realpath(posix.dirname(lexical)), posix.basename(lexical));
  } catch (e) {
    throw new InvalidArgumentError(`refusing hard link ${JSON.stringify(name)}: its target ${JSON.stringify(linkname)} is not in the destination`, { cause: e, details: { entry: name } });
  }
  if (!isWithin(toLayerPath(source), toLayerPath(dest))) {
    throw new InvalidArgumentError(`refusing hard link ${JSON.stringify(name)}: its target ${JSON.stringify(linkname)} resolves outside the destination`, { details: { entry: name } });
  }
  return source;
}
