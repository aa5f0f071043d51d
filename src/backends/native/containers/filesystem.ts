/**
 * A container's files from the host: `diff` (its upper directory against its lower layers),
 * `export` (the merged tree), `getArchive`/`putArchive` (`docker cp`).
 *
 * Paths are resolved inside the container's root as if chrooted (symlinks followed relative to
 * it, `..` stopping at it), and a path under one of its mounts is served from the mount's
 * source. Against a running container, whose processes could swap a directory for a symlink
 * between our check and our use (CVE-2018-15664, CVE-2019-14271), the container is frozen
 * for the operation: nothing in it runs while we resolve and read or write. Docker chroots a
 * helper instead; Node can neither chroot nor run the host's tools inside the container's
 * root, and freezing gives the same guarantee with them.
 *
 * @module
 */
import { createReadStream, type Stats } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { Change } from '../../../core/schemas/index.js';
import { applyLayerToDirectory, diffDirectoryToLayerTar, OPAQUE_MARKER, WHITEOUT_PREFIX } from '../../../fs-union/index.js';
import type { NativeContext } from '../context.js';
import type { ContainerRecord } from './record.js';
import { resolveInRoot } from './in-root.js';
import { run } from './overlay-mount.js';
import { ensureRootfs } from './rootfs.js';

/**
 * The entry at `path` in a stack of layer dirs (relative to `root`, top first), honouring
 * whiteouts; undefined when the stack lacks it. (Opaque directories of lower layers are not
 * consulted: a lookup may then see an entry the merged view hides.)
 */
export async function lookupInLayers(root: string, lower: readonly string[], path: string): Promise<Stats | undefined> {
  for (const dir of lower) {
    const info = await lstat(join(root, dir, path)).catch(() => undefined);
    if (!info) continue;
    return info.isCharacterDevice() && info.rdev === 0 ? undefined : info;
  }
  return undefined;
}

/** `docker diff`: what the container added (A), changed (C) and deleted (D), sorted by path. */
export async function containerChanges(ctx: NativeContext, record: ContainerRecord, signal?: AbortSignal): Promise<Change[]> {
  const upper = ctx.containers.dir(record.id).upper;
  const changes = new Map<string, Change['kind']>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, body, next) => {
      body.resume();
      const name = header.name.replace(/\/$/, '');
      const base = basename(name);
      const dir = dirname(name) === '.' ? '' : dirname(name);
      void (async () => {
        if (base === OPAQUE_MARKER) {
          // An opaque directory: replaced as a whole.
          return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
          changes.set(`/${join(dir, base.slice(WHITEOUT_PREFIX.length))}`, 'D');
          return;
        }
        changes.set(`/${name}`, (await lookupInLayers(ctx.paths.root, record.rootfs.lower, name)) ? 'C' : 'A');
      })().then(() => next(), reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  const tar = diffDirectoryToLayerTar(upper, signal ? { signal } : {});
  tar.on('error', (error) => ex.destroy(error));
  tar.pipe(ex);
  await done;
  return [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, kind]) => ({ kind, path }));
}

/** `docker export`: the whole merged tree as a tar (engine-provided files included). */
export async function exportContainer(ctx: NativeContext, record: ContainerRecord, signal?: AbortSignal): Promise<Readable> {
  const merged = await ensureRootfs(ctx.paths, ctx.containers, record, signal);
  return diffDirectoryToLayerTar(merged, signal ? { signal } : {});
}

/** Runs `fn` with the container frozen when it runs (and thawed after, if we froze it). */
async function frozen<T>(ctx: NativeContext, id: string, fn: () => Promise<T>): Promise<T> {
  const state = await ctx.runc.state(id);
  const freeze = state?.status === 'running';
  if (freeze) await ctx.runc.pause(id);
  try {
    return await fn();
  } finally {
    if (freeze) await ctx.runc.resume(id).catch(() => undefined);
  }
}

/** The host path a container path stands for: inside a mount's source, or the root filesystem. */
async function hostPath(ctx: NativeContext, record: ContainerRecord, path: string, followLast: boolean): Promise<string> {
  const clean = join('/', path);
  const mount = [...record.mounts]
    .sort((a, b) => b.destination.length - a.destination.length)
    .find((m) => clean === m.destination || clean.startsWith(`${m.destination}/`));
  if (mount) return resolveInRoot(mount.source, relative(mount.destination, clean), followLast);
  const merged = await ensureRootfs(ctx.paths, ctx.containers, record);
  return resolveInRoot(merged, clean, followLast);
}

/**
 * A tar of `path` named by its base name (`docker cp c:/etc/hosts -`). A path ending in a
 * symlink gives the link itself, as Docker's does, unless it ends with `/` or `/.`.
 * @throws NotFoundError when the path does not exist
 */
export async function getArchive(ctx: NativeContext, record: ContainerRecord, path: string, signal?: AbortSignal): Promise<Readable> {
  const followLast = /\/\.?$/.test(path);
  // The tar is written to a spool file while the container is frozen, so the freeze lasts as
  // long as the archiving, not as long as the caller takes to read the stream.
  const spool = await ctx.images.blobs.tempPath('archive');
  await frozen(ctx, record.id, async () => {
    const host = await hostPath(ctx, record, path, followLast);
    if (!(await lstat(host).catch(() => undefined))) {
      throw new NotFoundError(`Could not find the file ${path} in container ${record.name}`, { details: { path, container: record.id } });
    }
    const name = basename(join('/', path)) || '.';
    const escape = (text: string, special: RegExp): string => text.replace(special, '\\$&');
    // GNU tar reads the one resolved subtree (it never follows symlinks inside it); the
    // transform names the top entry after the requested path, as Docker's archive does.
    await run('tar', [
      '-c', '-f', spool, '-C', dirname(host), '--numeric-owner', '--xattrs',
      '--transform', `s|^${escape(basename(host), /[|\\^$.*[\]]/g)}|${escape(name, /[|\\&]/g)}|`, '--', basename(host),
    ], signal ? { signal } : {});
  }).catch(async (error: unknown) => {
    await rm(spool, { force: true });
    throw error;
  });
  const stream = createReadStream(spool);
  // Unlinked at once: the open stream keeps the data until it is read or closed.
  stream.once('open', () => { void rm(spool, { force: true }); });
  stream.once('close', () => { void rm(spool, { force: true }); });
  return stream;
}

/**
 * Unpacks a tar into the existing directory `path` through fs-union's host apply (it refuses
 * entries that climb out and writes through symlinks).
 * @throws NotFoundError when the directory does not exist
 */
export async function putArchive(ctx: NativeContext, record: ContainerRecord, path: string, tar: Readable, signal?: AbortSignal): Promise<void> {
  await frozen(ctx, record.id, async () => {
    const host = await hostPath(ctx, record, path, true);
    const info = await lstat(host).catch(() => undefined);
    if (!info) throw new NotFoundError(`Could not find the file ${path} in container ${record.name}`, { details: { path, container: record.id } });
    if (!info.isDirectory()) throw new InvalidArgumentError(`extraction point is not a directory: ${path}`, { details: { path } });
    await applyLayerToDirectory(tar, host, { format: 'plain', ...(signal ? { signal } : {}) });
  });
}
