/**
 * `docker create` in the emulator: resolve the image, merge its config with the request, give
 * the container its layer stack, its volumes and bind mounts, and the engine's files.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { PassThrough } from 'node:stream';
import { InvalidArgumentError, throwIfAborted } from '../../../core/errors.js';
import type { ContainerCreateRequest, ContainerInfo } from '../../../core/schemas/index.js';
import { DEFAULT_PATH } from '../exec/resolve.js';
import { copyTree, isNonEmptyDirectory } from '../mounts/copy-tree.js';
import { EngineFile } from '../mounts/engine-file.js';
import { HostDirectoryFs } from '../mounts/host-fs.js';
import { MountedFs, type MountPoint } from '../mounts/mounted-fs.js';
import type { EmulatorVolume, VolumeStore } from '../volumes/volume-store.js';
import type { ImageRecordLike, ImageStoreLike, RootfsFactory, RootfsLike } from './deps.js';
import { LogBuffer } from './log-buffer.js';
import { randomContainerName } from '../../../core/random-name.js';
import { PauseGate } from './pause-gate.js';
import { DEFAULT_PIDS_LIMIT, ProcessTable } from './process-table.js';
import { Scheduler } from './scheduler.js';
import type { ContainerRecord, ContainerRegistry, MountRecord } from './record.js';

/** What creating a container needs from the backend. */
export interface CreateDeps {
  /** Every container. */
  registry: ContainerRegistry;
  /** The image store. */
  images: ImageStoreLike;
  /** The volume store. */
  volumes: VolumeStore;
  /** Makes a container's layer stack. */
  createRootfs: RootfsFactory;
  /** The time. */
  now: () => Date;
  /** A fresh 64-hex ID. */
  newId: () => string;
  /** Bytes of log text kept per container. */
  logBytes?: number;
  /** The process limit of containers created without `pidsLimit` (default {@link DEFAULT_PIDS_LIMIT}). */
  pidsLimit?: number;
  /** Renders a container's `/etc/hosts` (the network's view, current at each read). */
  hostsFile?: (containerId: string) => string;
}

/** The engine's files every container gets, by path. */
export const ENGINE_FILE_PATHS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/.dockerenv'] as const;

/**
 * Creates a container record and registers it (the caller announces it).
 *
 * @throws NotFoundError `No such image: x`; ConflictError when the name is taken;
 *   InvalidArgumentError when neither the image nor the request gives a command
 */
export async function createContainer(deps: CreateDeps, request: ContainerCreateRequest, signal?: AbortSignal): Promise<ContainerRecord> {
  throwIfAborted(signal);
  const image = deps.images.resolve(request.image);
  if (request.name !== undefined) deps.registry.assertNameFree(request.name);
  const config = mergeConfig(image, request);
  if ((config.entrypoint?.length ?? 0) + (config.cmd?.length ?? 0) === 0) {
    throw new InvalidArgumentError('No command specified', { details: { image: request.image } });
  }
  const id = deps.newId();
  if (request.hostname === undefined) config.hostname = id.slice(0, 12);
  const rootfs = deps.createRootfs(image.layers);
  const now = deps.now();

  const { points, records, volumes } = await mountsFor(deps, request, image, rootfs, signal);
  for (const point of points) await ensureDirectory(rootfs, point.target);
  const engineFiles = new Map<string, EngineFile>([
    ['/etc/hosts', new EngineFile(deps.hostsFile ? () => deps.hostsFile!(id) : `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n`, now)],
    ['/etc/hostname', new EngineFile(`${config.hostname}\n`, now)],
    ['/etc/resolv.conf', new EngineFile('nameserver 127.0.0.11\noptions ndots:0\n', now)],
    ['/.dockerenv', new EngineFile('', now)],
  ]);
  await ensureDirectory(rootfs, '/etc');
  const enginePoints = [...engineFiles].map(([target, file]): MountPoint => ({ target, fs: file, readOnly: false }));

  // The name is checked again here: another create may have taken it while we awaited.
  const name = request.name ?? randomContainerName((n) => deps.registry.byName(n) !== undefined);
  deps.registry.assertNameFree(name);
  for (const v of volumes) v.users.add(id);
  const record: ContainerRecord = {
    id,
    name,
    created: now,
    imageRef: request.image,
    image,
    request,
    config,
    stopSignal: request.stopSignal ?? (image.config.stopSignal || 'SIGTERM'),
    stopTimeout: request.stopTimeout ?? 10,
    state: { status: 'created', exitCode: 0 },
    rootfs,
    fs: new MountedFs(rootfs, [...enginePoints, ...points]),
    engineFiles,
    mounts: records,
    volumeNames: volumes.map((v) => v.name),
    ports: [],
    logs: new LogBuffer({ now: deps.now, ...(deps.logBytes === undefined ? {} : { maxBytes: deps.logBytes }) }),
    gate: new PauseGate(),
    processes: new ProcessTable(request.pidsLimit ?? deps.pidsLimit ?? DEFAULT_PIDS_LIMIT),
    scheduler: new Scheduler(),
    execs: new Set(),
    attached: { stdout: new Set(), stderr: new Set() },
    ...(request.openStdin ? { stdin: new PassThrough() } : {}),
    removing: false,
  };
  deps.registry.add(record);
  return record;
}

/** The image's config with the request's overrides, as `docker inspect` shows `Config`. */
export function mergeConfig(image: ImageRecordLike, request: ContainerCreateRequest): ContainerInfo['config'] {
  // Docker's merge: the user's entries first, then the image's entries the user did not set.
  const env = new Map<string, string>();
  const keyOf = (entry: string) => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);
  for (const entry of request.env) env.set(keyOf(entry), entry);
  for (const entry of image.config.env) if (!env.has(keyOf(entry))) env.set(keyOf(entry), entry);
  // Docker gives a container the default PATH when its image sets none.
  if (!env.has('PATH')) env.set('PATH', `PATH=${DEFAULT_PATH}`);
  // Docker's merge: without an entrypoint of the user's own (absent or []), an empty CMD
  // (absent or []) takes the image's; an absent entrypoint takes the image's. A new
  // entrypoint resets the image's CMD, as `docker run --entrypoint` does.
  const ownEntrypoint = (request.entrypoint?.length ?? 0) > 0;
  const entrypoint = request.entrypoint ?? image.config.entrypoint;
  const cmd = !ownEntrypoint && (request.cmd?.length ?? 0) === 0 ? image.config.cmd : (request.cmd ?? null);
  const exposed = new Set<string>();
  const norm = (p: string): string => (p.includes('/') ? p : `${p}/tcp`);
  for (const p of [...image.config.exposedPorts, ...request.exposedPorts]) exposed.add(norm(p));
  for (const p of request.ports) exposed.add(`${p.containerPort}/${p.protocol}`);
  return {
    cmd: cmd === null ? null : [...cmd],
    entrypoint: entrypoint === null || entrypoint.length === 0 ? null : [...entrypoint],
    env: [...env.values()],
    workingDir: request.workingDir ?? image.config.workingDir,
    user: request.user ?? image.config.user,
    hostname: request.hostname ?? '',
    labels: { ...image.config.labels, ...request.labels },
    tty: request.tty,
    openStdin: request.openStdin,
    exposedPorts: [...exposed].sort(),
  };
}

interface Mounts {
  points: MountPoint[];
  records: MountRecord[];
  volumes: EmulatorVolume[];
}

async function mountsFor(deps: CreateDeps, request: ContainerCreateRequest, image: ImageRecordLike, rootfs: RootfsLike, signal?: AbortSignal): Promise<Mounts> {
  const out: Mounts = { points: [], records: [], volumes: [] };
  const taken = new Set<string>();
  const addVolume = async (volume: EmulatorVolume, target: string, readOnly: boolean, fill: boolean): Promise<void> => {
    // A fresh volume takes the content of the image directory it covers (never a bind mount).
    if (fill && !volume.populated && (await isNonEmptyDirectory(rootfs, target))) {
      await copyTree(rootfs, target, volume.fs, '/', signal);
    }
    volume.populated = true;
    out.points.push({ target, fs: volume.fs, readOnly });
    out.records.push({ type: 'volume', source: '', destination: target, name: volume.name, readOnly });
    if (!out.volumes.includes(volume)) out.volumes.push(volume);
    taken.add(target);
  };
  for (const m of request.mounts) {
    throwIfAborted(signal);
    const target = posix.resolve('/', m.target);
    if (m.type === 'bind') {
      // Core guarantees a bind mount's source; as `docker run -v /host:/ctr`, a missing host
      // directory is created.
      const source = m.source ?? '/';
      await mkdir(source, { recursive: true });
      out.points.push({ target, fs: new HostDirectoryFs(source), readOnly: m.readOnly });
      out.records.push({ type: 'bind', source, destination: target, readOnly: m.readOnly });
      taken.add(target);
    } else {
      await addVolume(deps.volumes.ensure(m.source), target, m.readOnly, m.noCopy !== true);
    }
  }
  for (const from of request.volumesFrom) {
    const source = deps.registry.get(from.container);
    for (const [i, rec] of source.mounts.entries()) {
      if (taken.has(rec.destination)) continue;
      const readOnly = from.readOnly || rec.readOnly;
      if (rec.type === 'volume' && rec.name !== undefined) {
        await addVolume(deps.volumes.get(rec.name), rec.destination, readOnly, false);
      } else {
        const point = source.fs.mounts.find((p) => p.target === rec.destination) ?? source.fs.mounts[i];
        if (!point) continue;
        out.points.push({ target: rec.destination, fs: point.fs, readOnly });
        out.records.push({ ...rec, readOnly });
        taken.add(rec.destination);
      }
    }
  }
  // The image's VOLUME directories that nothing else covers get anonymous volumes.
  for (const v of image.config.volumes) {
    const target = posix.resolve('/', v);
    if (!taken.has(target)) await addVolume(deps.volumes.ensure(undefined), target, false, true);
  }
  return out;
}

async function ensureDirectory(fs: RootfsLike, path: string): Promise<void> {
  try {
    if ((await fs.stat(path)).isDirectory()) return;
  } catch {
    // Missing: made below.
  }
  await fs.mkdir(path, { recursive: true }).catch(() => undefined);
}
