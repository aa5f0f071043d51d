/**
 * Resolving a path inside a container's root filesystem from the host, as if chrooted: every
 * symlink on the way is read and followed relative to the root, and `..` never climbs above
 * it. This is for trees nothing runs in at that moment (create time, a stopped container);
 * anything that touches a running container's files goes through a child process chrooted
 * into it instead, since a running container can swap a directory for a symlink between our
 * check and our use.
 *
 * @module
 */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../../core/errors.js';

/** Linux's limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;

/**
 * The host path `path` (absolute, inside the container) stands for under `root`, with
 * symlinks resolved inside the root. The last component is followed too unless
 * `followLast` is false. Missing components are kept as they are (the result may not exist).
 */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<string> {
  const pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const info = await lstat(host).catch(() => undefined);
    if (info?.isSymbolicLink() && (followLast || pending.length > 0)) {
      if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`too many levels of symbolic links: ${path}`, { details: { path } });
      const target = await readlink(host);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}
