/**
 * Tar streams in and out of a container's filesystem: `docker cp` both ways and
 * `docker export`.
 *
 * Output goes through fs-union's deterministic packer, pulled lazily so a large tree is never
 * held in memory. Input is checked the way Docker's archive code and GNU tar check it: names
 * are cleaned, anything that climbs out of the target is refused, and nothing is written
 * through a symlink (a tar that plants `a -> /etc` and then `a/passwd` must not reach a bind
 * mount's host files).
 *
 * @module
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError, throwIfAborted } from '../../../core/errors.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import { cleanEntryName } from '../../../fs-union/paths.js';
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
  try {
    await fs.lstat(abs);
  } catch (e) {
    throw new NotFoundError(`Could not find the file ${path} in container ${containerId}`, { cause: e, details: { path, container: containerId } });
  }
  const name = abs === '/' ? '' : posix.basename(abs);
  return packTar(walk(fs, abs, name, signal), signal ? { signal } : {});
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
 * Unpacks `tar` into the existing directory `path` of `fs`.
 *
 * @throws NotFoundError when `path` does not exist; InvalidArgumentError when it is not a
 *   directory, an entry would land outside it or be written through a symlink, or the bytes
 *   are not a well-formed tar (Docker's `Error processing tar file...` texts)
 */
export async function extractInto(fs: FileSystemApi, path: string, tar: Readable, containerId: string, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const dest = posix.resolve('/', path);
  let st;
  try {
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
    if (rel !== '') await assertNoSymlinkParents(fs, dest, rel, header.name);
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);
    // Tars made by hand often name files without their directories first, as tar accepts.
    if (rel.includes('/')) await fs.mkdir(posix.dirname(target), { recursive: true });
    switch (header.type) {
      case 'directory':
        if (rel !== '') await fs.mkdir(target, { recursive: true, mode });
        break;
      case 'file':
        await fs.rm(target, { force: true }).catch(() => undefined);
        await fs.writeFile(target, entry.data, { mode, uid: header.uid ?? 0, gid: header.gid ?? 0 });
        break;
      case 'symlink':
        await fs.rm(target, { force: true }).catch(() => undefined);
        await fs.symlink(header.linkname ?? '', target);
        break;
      case 'link': {
        let linkRel: string;
        try {
          linkRel = cleanEntryName(header.linkname ?? '');
        } catch (e) {
          throw new InvalidArgumentError(`refusing hard link ${JSON.stringify(header.name)}: its target climbs out`, { cause: e });
        }
        await fs.rm(target, { force: true }).catch(() => undefined);
        await fs.link(posix.join(dest, linkRel), target);
        break;
      }
      default:
        // Devices and fifos cannot be made through the filesystem API; Docker needs root too.
        continue;
    }
    if (header.type !== 'symlink') await fs.utimes(target, mtime).catch(() => undefined);
  }
}

async function assertNoSymlinkParents(fs: FileSystemApi, dest: string, rel: string, name: string): Promise<void> {
  const parts = rel.split('/');
  let cur = dest;
  for (const part of parts.slice(0, -1)) {
    cur = posix.join(cur, part);
    try {
      if ((await fs.lstat(cur)).isSymbolicLink()) {
        throw new InvalidArgumentError(`refusing to extract ${JSON.stringify(name)} through the symlink ${cur}`, { details: { entry: name } });
      }
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw e;
      return;
    }
  }
}
