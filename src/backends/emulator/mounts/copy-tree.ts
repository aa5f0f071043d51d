/**
 * Copying a directory tree between two filesystem views: how a new volume is filled with the
 * content of the image directory it is mounted over (Docker's "copy-up" of volume content).
 *
 * @module
 */
import { posix } from 'node:path';
import { throwIfAborted } from '../../../core/errors.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';

/**
 * Copies the children of `fromPath` in `from` into `toPath` of `to` (which must exist),
 * keeping modes, owners, times and symlinks. Hard links are copied as separate files.
 */
export async function copyTree(from: FileSystemApi, fromPath: string, to: FileSystemApi, toPath: string, signal?: AbortSignal): Promise<void> {
  for (const name of await from.readdir(fromPath)) {
    throwIfAborted(signal);
    const src = posix.join(fromPath, name);
    const dst = posix.join(toPath, name);
    const st = await from.lstat(src);
    if (st.type === 'directory') {
      await to.mkdir(dst, { mode: st.mode });
      await copyTree(from, src, to, dst, signal);
    } else if (st.type === 'symlink') {
      await to.symlink(await from.readlink(src), dst);
    } else if (st.type === 'file') {
      await to.writeFile(dst, await from.readFile(src), { mode: st.mode, uid: st.uid, gid: st.gid });
    } else {
      // Device nodes and fifos cannot be made through the API; Docker's copy skips sockets too.
      continue;
    }
    if (st.type !== 'symlink') {
      await to.chown(dst, st.uid, st.gid).catch(() => undefined);
      await to.utimes(dst, st.mtime).catch(() => undefined);
    }
  }
}

/** True when `path` is a directory of `fs` holding at least one entry. */
export async function isNonEmptyDirectory(fs: FileSystemApi, path: string): Promise<boolean> {
  try {
    const st = await fs.stat(path);
    return st.isDirectory() && (await fs.readdir(path)).length > 0;
  } catch {
    return false;
  }
}
