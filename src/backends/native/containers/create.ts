/**
 * `docker create` on the native backend: the image is resolved, the config merged, mounts and
 * volumes decided, and then, under the engine lock (so an image cannot be removed, nor a name
 * taken, halfway), the name is taken, the container's directory, init layer and records are
 * written. The record is written last: a crash before it leaves a directory recovery deletes.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { randomContainerName } from '../../../core/random-name.js';
import type { ContainerCreateRequest } from '../../../core/schemas/index.js';
import { requireImage } from '../images/image-catalog.js';
import type { NativeContext } from '../context.js';
import type { ContainerCreateResult } from '../../../core/backend.js';
import { resolveInRoot } from './in-root.js';
import { writeInitLayer } from './init-layer.js';
import { lookupInLayers } from './filesystem.js';
import { mergeConfig } from './merge-config.js';
import { CREATED_STATE, type ContainerRecord, type MountRecord } from './record.js';
import { ensureRootfs } from './rootfs.js';
import { crashPoint } from '../state/crash-point.js';

const execFileAsync = promisify(execFile);

/** The mounts of a new container, volumes created as needed (under the engine lock). */
async function resolveMounts(ctx: NativeContext, request: ContainerCreateRequest, imageVolumes: readonly string[]): Promise<{ mounts: MountRecord[]; fill: MountRecord[] }> {
  const mounts: MountRecord[] = [];
  const fill: MountRecord[] = [];
  const taken = new Set<string>();
  const addVolume = async (name: string | undefined, destination: string, readOnly: boolean, noCopy: boolean): Promise<void> => {
    const { volume } = await ctx.volumes.create(name !== undefined ? { name } : {});
    const mount: MountRecord = { type: 'volume', source: volume.mountpoint!, destination, name: volume.name, readOnly, ...(volume.anonymous ? { anonymous: true } : {}) };
    mounts.push(mount);
    if (!noCopy) fill.push(mount);
  };
  for (const m of request.mounts) {
    taken.add(m.target);
    if (m.type === 'bind') mounts.push({ type: 'bind', source: m.source!, destination: m.target, readOnly: m.readOnly });
    else await addVolume(m.source, m.target, m.readOnly, m.noCopy === true);
  }
  for (const from of request.volumesFrom) {
    const other = await ctx.containers.get(from.container);
    for (const m of other.record.mounts) {
      if (taken.has(m.destination)) continue;
      taken.add(m.destination);
      mounts.push({ ...m, readOnly: m.readOnly || from.readOnly, anonymous: undefined });
    }
  }
  for (const target of imageVolumes) {
    if (taken.has(target)) continue;
    taken.add(target);
    await addVolume(undefined, target, false, false);
  }
  return { mounts: mounts.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as MountRecord), fill };
}

/** Copies the image's content at a volume's destination into the (empty) volume, as Docker does on first use. */
async function fillVolume(rootfs: string, mount: MountRecord): Promise<void> {
  if ((await readdir(mount.source).catch(() => ['x'])).length > 0) return;
  const from = await resolveInRoot(rootfs, mount.destination);
  const info = await lstat(from).catch(() => undefined);
  if (!info?.isDirectory()) return;
  // cp -a keeps owners, modes, times and symlinks as symlinks (never follows them).
  await execFileAsync('cp', ['-a', '--', `${from}/.`, `${mount.source}/`]);
}

/**
 * Generates a free name and takes it. Another process may take the same generated name
 * between the check and the link (we hold the engine lock, but a name check alone is not the
 * reservation): then another name is drawn.
 */
async function reserveGeneratedName(ctx: NativeContext, id: string): Promise<string> {
  for (;;) {
    const name = randomContainerName((n) => ctx.containers.nameTaken(n));
    try {
      await ctx.containers.reserveName(name, id);
      return name;
    } catch (error) {
      if ((error as { code?: string }).code !== 'CONFLICT') throw error;
    }
  }
}

/** Creates a container. @throws NotFoundError for a missing image; ConflictError for a taken name */
export async function createContainer(ctx: NativeContext, request: ContainerCreateRequest, signal?: AbortSignal): Promise<ContainerCreateResult> {
  const image = await ctx.images.resolve(request.image);
  const network = request.network ?? 'bridge';
  if (!['bridge', 'none', 'host'].includes(network)) await ctx.networks.inspect(network, signal);
  // Links name containers that must exist now; they are kept by name.
  const links: { name: string; alias: string }[] = [];
  for (const link of request.links) links.push({ name: (await ctx.containers.get(link.name)).record.name, alias: link.alias });
  const id = randomBytes(32).toString('hex');
  const config = mergeConfig(request, image.config.config, id);
  const dir = ctx.containers.dir(id);
  let fill: MountRecord[] = [];
  const record = await ctx.locked(async () => {
    // The image may have gone since we looked (removal runs under this lock too).
    requireImage(await ctx.images.catalog.snapshot(), image.record.id);
    const name = request.name ?? (await reserveGeneratedName(ctx, id));
    if (request.name !== undefined) await ctx.containers.reserveName(name, id);
    crashPoint('create:after-name');
    try {
      const resolved = await resolveMounts(ctx, request, image.config.config.volumes);
      fill = resolved.fill;
      for (const d of [dir.upper, dir.work, dir.init]) await mkdir(d, { recursive: true });
      await writeInitLayer(dir.init, (path) => lookupInLayers(ctx.paths.root, ctx.images.layers.lowerDirs(image.layers), path));
      crashPoint('create:after-init-layer');
      const record: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        image: request.image,
        imageId: image.record.id,
        config,
        host: {
          autoRemove: request.autoRemove,
          publishAll: request.publishAll,
          ports: request.ports,
          links,
          network,
          networkAliases: request.networkAliases,
        },
        mounts: resolved.mounts,
        rootfs: {
          lower: [`containers/${id}/init`, ...ctx.images.layers.lowerDirs(image.layers)],
          ...(image.layers.length ? { chainId: image.layers.at(-1)!.chainId } : {}),
        },
      };
      // The record's write below syncs the directory for both files.
      await ctx.containers.putState(id, CREATED_STATE, { syncDirectory: false });
      await ctx.containers.putRecord(record);
      return record;
    } catch (error) {
      await ctx.containers.delete(id, name).catch(() => undefined);
      throw error;
    }
  }, signal);
  // The root filesystem is mounted when something needs it (start, export, archives), not
  // here: a mount is a child process, and create should cost only file writes.
  if (fill.length > 0) {
    const rootfs = await ensureRootfs(ctx.paths, ctx.containers, record, signal);
    for (const mount of fill) await fillVolume(rootfs, mount);
  }
  await ctx.events.append({ type: 'container', action: 'create', id, name: record.name, attributes: { image: record.image, name: record.name } });
  return { id, name: record.name, warnings: [] };
}
