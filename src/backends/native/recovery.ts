/**
 * What opening a state root repairs, under the engine lock (so no other process is creating or
 * removing anything meanwhile), after any crash of an SDK process or the supervisor:
 *
 * - temp files of dead writers and staging directories of dead processes are deleted;
 * - half-extracted layers and dangling short links (no process extracting them) are deleted;
 * - half-created or half-removed containers (a directory without `container.json`) are
 *   unmounted and deleted, and name links to no container are dropped;
 * - overlay mounts under the root that belong to no container are unmounted;
 * - when no supervisor is alive, containers recorded as running are reconciled with runc
 *   (killed and marked exited 255: nobody can capture their exit any more).
 *
 * - and then, still without a supervisor, the network half's reconcile removes namespaces,
 *   veths and address reservations of containers that no longer run (port holders live in
 *   the supervisor and died with it).
 *
 * @module
 */
import { readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NativeContext } from './context.js';
import { mountsUnder, unmount } from './containers/overlay-mount.js';
import { removeStaleTempFiles } from './state/atomic-file.js';
import { abstractLockName, tryAcquireLock } from './state/engine-lock.js';
import { processIsAlive } from './state/process-identity.js';
import { reconcileContainers } from './supervisor/reconcile.js';
import { stat } from 'node:fs/promises';

/** What recovery did, for logs and tests. */
export interface RecoveryReport {
  /** Paths deleted. */
  removed: string[];
  /** Mount points unmounted. */
  unmounted: string[];
  /** Containers whose state was reconciled with runc. */
  reconciled: string[];
}

async function subdirs(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
}

/** Deletes `tmp/p<PID>-*` staging directories whose process is gone. */
async function removeDeadStaging(ctx: NativeContext): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(ctx.paths.tmp).catch(() => [] as string[])) {
    const m = /^p(\d+)-[0-9a-f]+$/.exec(name);
    const path = join(ctx.paths.tmp, name);
    const info = await stat(path).catch(() => undefined);
    if (m && info && (await processIsAlive(Number(m[1]), info.birthtimeMs || info.ctimeMs))) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Repairs a state root (see the module notes). */
export async function recoverRoot(ctx: NativeContext): Promise<RecoveryReport> {
  const report: RecoveryReport = { removed: [], unmounted: [], reconciled: [] };
  await ctx.locked(async () => {
    const { paths } = ctx;
    for (const dir of [paths.root, paths.images, paths.blobs, paths.volumes, paths.containers, ...(await subdirs(paths.containers)), ...(await subdirs(paths.volumes))]) {
      report.removed.push(...(await removeStaleTempFiles(dir)));
    }
    report.removed.push(...(await removeDeadStaging(ctx)));
    report.removed.push(...(await ctx.images.layers.recover()));

    const complete = new Set<string>();
    for (const id of await ctx.containers.ids()) {
      const found = await ctx.containers.read(id).catch(() => undefined);
      if (found) {
        complete.add(id);
        continue;
      }
      const dir = ctx.containers.dir(id).base;
      for (const mount of await mountsUnder(dir)) {
        await unmount(mount);
        report.unmounted.push(mount);
      }
      await rm(dir, { recursive: true, force: true });
      await rm(paths.runContainer(id), { recursive: true, force: true });
      report.removed.push(dir);
    }
    for (const name of await readdir(paths.names).catch(() => [] as string[])) {
      const target = await readlink(join(paths.names, name)).catch(() => '');
      if (complete.has(target)) continue;
      await rm(join(paths.names, name), { force: true });
      report.removed.push(join(paths.names, name));
    }
    // Mounts under the root that are not a live container's root filesystem.
    const expected = new Set([...complete].map((id) => ctx.containers.dir(id).merged));
    for (const mount of await mountsUnder(paths.root)) {
      if (expected.has(mount) || mount === paths.root) continue;
      await unmount(mount);
      report.unmounted.push(mount);
    }
  });
  const supervisorLock = await tryAcquireLock(await abstractLockName(ctx.paths.root, 'supervisor'));
  if (supervisorLock) {
    // No supervisor serves this root: nobody watches containers recorded as running.
    try {
      report.reconciled.push(...(await reconcileContainers(ctx)));
      // Nothing runs without a supervisor: every sandbox of this root is a leftover.
      await ctx.networks.reconcile(new Set());
    } finally {
      await supervisorLock.release();
    }
  }
  return report;
}
