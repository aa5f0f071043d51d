/**
 * A container's root filesystem: an overlay of its init layer and its image's layers (the
 * lower dirs recorded at create, so it survives the image's removal) with its own upper and
 * work dirs, mounted at `merged/`. It stays mounted while the container exists (and is
 * mounted again on demand after a reboot), so export, archives and runc all see one tree.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import type { NativePaths } from '../paths.js';
import type { ContainerStore } from './container-store.js';
import { isMountPoint, mountOverlay, unmount } from './overlay-mount.js';
import type { ContainerRecord } from './record.js';

/** Mounts the container's rootfs unless it is mounted; resolves its path. */
export async function ensureRootfs(paths: NativePaths, store: ContainerStore, record: ContainerRecord, signal?: AbortSignal): Promise<string> {
  const dir = store.dir(record.id);
  if (await isMountPoint(dir.merged)) return dir.merged;
  await mkdir(dir.merged, { recursive: true });
  await mountOverlay({
    lower: record.rootfs.lower,
    upper: relative(paths.root, dir.upper),
    work: relative(paths.root, dir.work),
    target: dir.merged,
    cwd: paths.root,
  }, signal);
  return dir.merged;
}

/** Unmounts the container's rootfs (no error when it is not mounted). */
export async function releaseRootfs(store: ContainerStore, id: string): Promise<void> {
  const merged = store.dir(id).merged;
  if (await isMountPoint(merged)) await unmount(merged);
}
