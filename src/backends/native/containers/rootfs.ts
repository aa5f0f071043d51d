/**
 * A container's root filesystem: an overlay of its init layer and its image's layers (the
 * lower dirs recorded at create, so it survives the image's removal) with its own upper and
 * work dirs, mounted at `merged/` when first needed (start, export, archives) and from then on
 * while the container exists (mounted again on demand after a reboot), so export, archives
 * and runc all see one tree.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import type { NativePaths } from '../paths.js';
import { abstractLockName, withLock } from '../state/engine-lock.js';
import type { ContainerStore } from './container-store.js';
import { isMountPoint, mountOverlay, unmount } from './overlay-mount.js';
import type { ContainerRecord } from './record.js';

/**
 * Mounts the container's rootfs unless it is mounted; resolves its path. A per-container lock
 * keeps two processes (the supervisor starting it, an SDK exporting it) from both mounting.
 */
export async function ensureRootfs(paths: NativePaths, store: ContainerStore, record: ContainerRecord, signal?: AbortSignal): Promise<string> {
  const dir = store.dir(record.id);
  if (await isMountPoint(dir.merged)) return dir.merged;
  await withLock(await abstractLockName(paths.root, `rootfs-${record.id.slice(0, 32)}`), async () => {
    if (await isMountPoint(dir.merged)) return;
    await mkdir(dir.merged, { recursive: true });
    await mountOverlay({
      lower: record.rootfs.lower,
      upper: relative(paths.root, dir.upper),
      work: relative(paths.root, dir.work),
      target: dir.merged,
      cwd: paths.root,
    }, signal);
  }, signal);
  return dir.merged;
}

/** Unmounts the container's rootfs (no error when it is not mounted). */
export async function releaseRootfs(store: ContainerStore, id: string): Promise<void> {
  const merged = store.dir(id).merged;
  if (await isMountPoint(merged)) await unmount(merged);
}
