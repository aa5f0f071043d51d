/**
 * The layer of a WORKDIR: the directory made with its parents (owned by the stage's USER, as
 * BuildKit's mkdir does), and the existing parents as they are. BuildKit gives every WORKDIR
 * other than `/` a layer, an empty one when the directory already exists (Engine 20.10 shows
 * the empty layer's diffID for a repeated WORKDIR).
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileSystemApi } from '../fs-union/fs-api.js';
import type { Layer } from '../fs-union/layer.js';
import { LayerBuilder } from '../fs-union/layer-builder.js';
import type { Owner } from './copy.js';

/** Builds the layer that makes `dir` (absolute) exist. */
export async function workdirLayer(rootfs: FileSystemApi, dir: string, owner: Owner, now: Date): Promise<Layer> {
  const builder = new LayerBuilder({ mtime: now });
  const parts = dir.split('/').filter((p) => p !== '');
  const missing: string[] = [];
  let path = '';
  for (const part of parts) {
    path = `${path}/${part}`;
    try {
      if ((await rootfs.stat(path)).isDirectory()) continue;
    } catch {
      // Missing: made below.
    }
    missing.push(path);
  }
  if (missing.length === 0) return builder.build();
  // The parents of the first new directory change (a new entry in them) and are in the diff.
  let parent = posix.dirname(missing[0] ?? '/');
  const parents: string[] = [];
  while (parent !== '/') {
    parents.unshift(parent);
    parent = posix.dirname(parent);
  }
  for (const p of parents) {
    const s = await rootfs.stat(p);
    builder.addDirectory(p, { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, mtime: now });
  }
  for (const m of missing) builder.addDirectory(m, { mode: 0o755, ...owner, mtime: now });
  return builder.build();
}
