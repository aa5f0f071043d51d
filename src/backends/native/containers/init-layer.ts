/**
 * The init layer, as Docker makes it: a read-only layer between the image and the container's
 * own upper directory holding what the engine provides (the files it bind-mounts over, the
 * mount points runc mounts on, `/.dockerenv`, `/etc/mtab`). Because it sits below the upper
 * directory, these entries are in the merged root (so in `export`) but never in `diff` or
 * `commit`, and runc never has to create a mount point in the container's own layer.
 *
 * Docker builds it by writing into a mount of the image, so what the image already has is
 * kept: a directory entry is made only when the image lacks it, a parent directory the image
 * has is copied up with the image's mode and owner (its time becomes now, as a copy-up's
 * does), while the files are always made afresh (empty, 0755), replacing the image's.
 *
 * @module
 */
import { chmod, chown, mkdir, open, symlink, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
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

/** Looks a path up in the image (its merged layers); undefined when the image lacks it. */
export type ImageLookup = (path: string) => Promise<Stats | undefined>;

/**
 * Fills `dir` (an empty directory) with the init layer's entries over the image `image`
 * describes, new entries owned by `owner` (the remapped root; 0:0 here).
 */
export async function writeInitLayer(dir: string, image: ImageLookup, owner: { uid: number; gid: number } = { uid: 0, gid: 0 }): Promise<void> {
  const made = new Set<string>(['/']);
  const now = new Date();
  const ensureDir = async (path: string): Promise<void> => {
    if (made.has(path)) return;
    await ensureDir(dirname(path));
    const inImage = await image(path);
    const like = inImage?.isDirectory() ? inImage : undefined;
    await mkdir(join(dir, path), { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await chown(join(dir, path), like?.uid ?? owner.uid, like?.gid ?? owner.gid);
    // mkdir's mode passes through the umask; a copied-up directory keeps the image's bits.
    await chmod(join(dir, path), like ? like.mode & 0o7777 : 0o755);
    made.add(path);
  };
  for (const [path, kind] of INIT_LAYER_ENTRIES) {
    if (kind === 'dir') {
      if ((await image(path))?.isDirectory()) continue;
      await ensureDir(path);
      continue;
    }
    await ensureDir(dirname(path));
    const target = join(dir, path);
    if (kind === 'file') {
      // Docker opens these with mode 0755 (the umask then applies, leaving 0755).
      await (await open(target, 'w', 0o755)).close();
      await chown(target, owner.uid, owner.gid);
    } else {
      await symlink(kind.symlink, target);
    }
  }
  // Directories whose children we made carry the time of that change, as after a copy-up.
  for (const path of made) if (path !== '/') await utimes(join(dir, path), now, now);
}
