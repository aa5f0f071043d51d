/**
 * The init layer, as Docker makes it: a read-only layer between the image and the container's
 * own upper directory holding what the engine provides (the files it bind-mounts over, the
 * mount points runc mounts on, `/.dockerenv`, `/etc/mtab`). Because it sits below the upper
 * directory, these entries are in the merged root (so in `export`) but never in `diff` or
 * `commit`, and runc never has to create a mount point in the container's own layer.
 *
 * @module
 */
import { chown, mkdir, open, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The entries of the init layer: a directory, an empty file, or a symlink target. */
export const INIT_LAYER_ENTRIES: ReadonlyArray<readonly [path: string, kind: 'dir' | 'file' | { symlink: string }]> = [
  ['/dev/pts', 'dir'],
  ['/dev/shm', 'dir'],
  ['/proc', 'dir'],
  ['/sys', 'dir'],
  ['/.dockerenv', 'file'],
  ['/etc/resolv.conf', 'file'],
  ['/etc/hosts', 'file'],
  ['/etc/hostname', 'file'],
  ['/dev/console', 'file'],
  ['/etc/mtab', { symlink: '/proc/mounts' }],
];

/**
 * Fills `dir` (an empty directory) with the init layer's entries, owned by `uid:gid` (the
 * remapped root; 0:0 here). Parents are created as needed, 0755 like Docker's.
 */
export async function writeInitLayer(dir: string, owner: { uid: number; gid: number } = { uid: 0, gid: 0 }): Promise<void> {
  const made = new Set<string>();
  const mkdirs = async (path: string): Promise<void> => {
    if (path === '/' || made.has(path)) return;
    await mkdirs(dirname(path));
    await mkdir(join(dir, path), { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await chown(join(dir, path), owner.uid, owner.gid);
    made.add(path);
  };
  for (const [path, kind] of INIT_LAYER_ENTRIES) {
    await mkdirs(dirname(path));
    const target = join(dir, path);
    if (kind === 'dir') {
      await mkdirs(path);
    } else if (kind === 'file') {
      // Docker opens these with mode 0755 (minus the umask).
      await (await open(target, 'w', 0o755)).close();
      await chown(target, owner.uid, owner.gid);
    } else {
      await symlink(kind.symlink, target);
    }
  }
}
