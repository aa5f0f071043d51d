/**
 * The containers part of the emulator's Backend: every `docker` container command over the
 * records, the runtime and the image, volume and network parts.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { CallOptions, CommitRequest, ContainerBackend, ContainerListRequest, ExecRequest } from '../../../core/backend.js';
import { ConflictError, InvalidArgumentError, throwIfAborted } from '../../../core/errors.js';
import type { ContainerCreateRequest, ImageConfig, LogLine, LogsRequest } from '../../../core/schemas/index.js';
import type { VolumeStore } from '../volumes/volume-store.js';
import { archivePath, exportTree, extractInto } from './archive.js';
import { createContainer, type CreateDeps } from './create.js';
import type { ImageStoreLike, RootfsFactory } from './deps.js';
import { attachToContainer, execInContainer } from './exec.js';
import { inspectRecord, selectContainers, summarize } from './list.js';
import type { ProcessInfo } from './process-table.js';
import { ContainerRegistry, type ContainerRecord } from './record.js';
import {
  emitContainer, isRunning, networkIdentity, networkSettings, killContainer, startContainer, stopContainer, waitExit, type RuntimeDeps,
} from './runtime.js';
import { MountedFs } from '../mounts/mounted-fs.js';

/** What the containers part is built from. */
export interface ContainerPartOptions extends Omit<RuntimeDeps, 'onExit'> {
  /** The image store. */
  images: ImageStoreLike;
  /** The volume store. */
  volumes: VolumeStore;
  /** Makes a container's layer stack. */
  createRootfs: RootfsFactory;
  /** A fresh 64-hex ID. */
  newId: () => string;
  /** Bytes of log text kept per container (default 4 MiB). */
  logBytes?: number;
  /** The process limit of containers created without `pidsLimit` (default 1024). */
  pidsLimit?: number;
  /** Applies commit `changes` to an image config (Dockerfile instructions). */
  applyChanges: (config: ImageConfig, changes: readonly string[]) => ImageConfig;
}

/** The containers of one emulated engine. */
export class EmulatorContainers implements ContainerBackend {
  /** Every container record (the network and image parts look containers up here). */
  readonly registry = new ContainerRegistry();
  readonly #o: ContainerPartOptions;
  readonly #runtime: RuntimeDeps;
  readonly #create: CreateDeps;

  constructor(options: ContainerPartOptions) {
    this.#o = options;
    this.#runtime = { ...options, onExit: (record) => this.#onExit(record) };
    this.#create = {
      ...options,
      registry: this.registry,
      now: () => options.clock.now(),
      hostsFile: (id) => options.network.hostsFile(id),
    };
  }

  /** Whether any container was created from the image `imageId`. */
  usesImage(imageId: string): boolean {
    return this.registry.all().some((r) => r.image.id === imageId);
  }

  /** A container using the image (a running one first), to name in `rmi` conflicts. */
  userOfImage(imageId: string): { id: string; running: boolean } | undefined {
    const users = this.registry.all().filter((r) => r.image.id === imageId);
    const pick = users.find(isRunning) ?? users[0];
    return pick ? { id: pick.id, running: isRunning(pick) } : undefined;
  }

  /**
   * The processes running in a container, by PID (PID 1 is its main program): what `docker
   * top` lists. Empty when it is not running.
   *
   * @throws NotFoundError `No such container: <ref>`
   */
  processes(ref: string): ProcessInfo[] {
    return this.registry.get(ref).processes.list();
  }

  /** Stops every running container at once (engine shutdown). */
  async killAll(): Promise<void> {
    await Promise.all(this.registry.all().filter(isRunning).map(async (r) => {
      r.main?.deliver('SIGKILL');
      await waitExit(r);
    }));
  }

  /** {@inheritDoc ContainerBackend.create} */
  async create(request: ContainerCreateRequest, options?: CallOptions): Promise<{ id: string; name: string; warnings: string[] }> {
    const record = await createContainer(this.#create, request, options?.signal);
    try {
      this.#o.network.configure?.(networkIdentity(record), networkSettings(record));
    } catch (e) {
      // A network reference that cannot be used (an ambiguous ID prefix): the container is not kept.
      this.#destroy(record, true, false);
      throw e;
    }
    emitContainer(this.#runtime, record, 'create');
    return { id: record.id, name: record.name, warnings: [] };
  }

  /** {@inheritDoc ContainerBackend.inspect} */
  async inspect(ref: string, options?: CallOptions) {
    throwIfAborted(options?.signal);
    return inspectRecord(this.registry.get(ref), this.#o.network);
  }

  /** {@inheritDoc ContainerBackend.list} */
  async list(request: ContainerListRequest, options?: CallOptions) {
    throwIfAborted(options?.signal);
    const now = this.#o.clock.now();
    return selectContainers(this.registry.all(), request, this.#o.images).map((r) => summarize(r, now));
  }

  /** {@inheritDoc ContainerBackend.start} */
  async start(id: string, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    await startContainer(this.#runtime, this.registry.get(id));
  }

  /** {@inheritDoc ContainerBackend.stop} */
  async stop(id: string, options?: CallOptions & { timeout?: number }): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    await stopContainer(this.#runtime, record, options?.timeout, options?.signal);
  }

  /** {@inheritDoc ContainerBackend.kill} */
  async kill(id: string, posixSignal: string, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    await killContainer(this.#runtime, this.registry.get(id), posixSignal || 'SIGKILL');
  }

  /** {@inheritDoc ContainerBackend.restart} */
  async restart(id: string, options?: CallOptions & { timeout?: number }): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    // autoRemove must not take the container away between the stop and the start.
    record.removing = true;
    try {
      await stopContainer(this.#runtime, record, options?.timeout, options?.signal);
    } finally {
      record.removing = false;
    }
    await startContainer(this.#runtime, record);
    emitContainer(this.#runtime, record, 'restart');
  }

  /** {@inheritDoc ContainerBackend.pause} */
  async pause(id: string, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    if (record.state.status === 'paused') throw new ConflictError(`Container ${record.id} is already paused`, { details: { container: record.id } });
    if (record.state.status !== 'running') throw new ConflictError(`Container ${record.id} is not running`, { details: { container: record.id } });
    record.gate.pause();
    record.state.status = 'paused';
    emitContainer(this.#runtime, record, 'pause');
  }

  /** {@inheritDoc ContainerBackend.unpause} */
  async unpause(id: string, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    if (record.state.status !== 'paused') throw new ConflictError(`Container ${record.id} is not paused`, { details: { container: record.id } });
    record.state.status = 'running';
    record.gate.resume();
    emitContainer(this.#runtime, record, 'unpause');
  }

  /** {@inheritDoc ContainerBackend.rename} */
  async rename(id: string, name: string, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    const clean = name.replace(/^\//, '');
    if (clean === record.name) {
      // The engine refuses this (a 400) rather than doing nothing.
      throw new InvalidArgumentError('Renaming a container with the same name as its current name', { details: { container: record.id, name: clean } });
    }
    const oldName = record.name;
    this.registry.rename(record, clean);
    this.#o.network.rename?.(record.id, clean);
    emitContainer(this.#runtime, record, 'rename', { oldName: `/${oldName}` });
  }

  /** {@inheritDoc ContainerBackend.remove} */
  async remove(id: string, options?: CallOptions & { force?: boolean; volumes?: boolean }): Promise<void> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    if (isRunning(record)) {
      if (!options?.force) {
        throw new ConflictError(
          `You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`,
          { details: { container: record.id } },
        );
      }
      record.removing = true;
      record.main?.deliver('SIGKILL');
    }
    await waitExit(record);
    this.#destroy(record, options?.volumes ?? false);
  }

  /** {@inheritDoc ContainerBackend.wait} */
  async wait(id: string, options?: CallOptions): Promise<{ exitCode: number }> {
    throwIfAborted(options?.signal);
    return { exitCode: await waitExit(this.registry.get(id), options?.signal) };
  }

  /** {@inheritDoc ContainerBackend.exec} */
  async exec(id: string, request: ExecRequest, options?: CallOptions) {
    throwIfAborted(options?.signal);
    return execInContainer(this.#runtime, this.registry.get(id), request);
  }

  /** {@inheritDoc ContainerBackend.attach} */
  async attach(id: string, options?: CallOptions & { stdin?: boolean }) {
    throwIfAborted(options?.signal);
    return attachToContainer(this.registry.get(id), options?.stdin ?? false);
  }

  /** {@inheritDoc ContainerBackend.logs} */
  logs(id: string, request: LogsRequest, options?: CallOptions): AsyncIterable<LogLine> {
    const registry = this.registry;
    return {
      async *[Symbol.asyncIterator]() {
        // Resolved when iteration starts, so a missing container rejects the iterator.
        yield* registry.get(id).logs.read(request, options?.signal);
      },
    };
  }

  /** {@inheritDoc ContainerBackend.diff} */
  async diff(id: string, options?: CallOptions) {
    throwIfAborted(options?.signal);
    return [...(await this.registry.get(id).rootfs.changes())];
  }

  /** {@inheritDoc ContainerBackend.commit} */
  async commit(id: string, request: CommitRequest, options?: CallOptions): Promise<{ imageId: string }> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    const freeze = request.pause && record.state.status === 'running';
    if (freeze) record.gate.pause();
    let layer;
    try {
      layer = await record.rootfs.commit();
    } finally {
      if (freeze && record.state.status === 'running') record.gate.resume();
    }
    const base = record.image.config;
    const config = this.#o.applyChanges({
      env: [...record.config.env],
      cmd: record.config.cmd,
      entrypoint: record.config.entrypoint,
      workingDir: record.config.workingDir,
      user: record.config.user,
      exposedPorts: [...record.config.exposedPorts],
      volumes: [...base.volumes],
      labels: { ...record.config.labels },
      stopSignal: base.stopSignal,
    }, request.changes);
    const tags = request.repo === undefined ? [] : [`${request.repo}:${request.tag ?? 'latest'}`];
    const image = this.#o.images.addImage({
      parent: record.image,
      layer,
      config,
      ...(request.author === undefined ? {} : { author: request.author }),
      ...(request.message === undefined ? {} : { comment: request.message }),
      createdBy: [...(record.config.entrypoint ?? []), ...(record.config.cmd ?? [])].join(' '),
      tags,
    });
    emitContainer(this.#runtime, record, 'commit', { imageID: image.id, ...(tags[0] ? { imageRef: tags[0] } : {}) });
    return { imageId: image.id };
  }

  /** {@inheritDoc ContainerBackend.getArchive} */
  async getArchive(id: string, path: string, options?: CallOptions): Promise<Readable> {
    const record = this.registry.get(id);
    return archivePath(record.fs, path, record.id, options?.signal);
  }

  /** {@inheritDoc ContainerBackend.putArchive} */
  async putArchive(id: string, path: string, tar: Readable, options?: CallOptions): Promise<void> {
    const record = this.registry.get(id);
    await extractInto(record.fs, path, tar, record.id, options?.signal);
  }

  /** {@inheritDoc ContainerBackend.export} */
  async export(id: string, options?: CallOptions): Promise<Readable> {
    throwIfAborted(options?.signal);
    const record = this.registry.get(id);
    // The rootfs plus the engine's files, without volumes and bind mounts, as docker export.
    const enginePoints = record.fs.mounts.filter((m) => record.engineFiles.get(m.target) === m.fs);
    return exportTree(new MountedFs(record.rootfs, enginePoints), options?.signal);
  }

  #onExit(record: ContainerRecord): void {
    if (record.request.autoRemove && !record.removing && this.registry.find(record.id) === record) {
      this.#destroy(record, true);
    }
  }

  #destroy(record: ContainerRecord, dropVolumes: boolean, announce = true): void {
    if (this.registry.find(record.id) !== record) return;
    for (const name of record.volumeNames) {
      try {
        this.#o.volumes.get(name).users.delete(record.id);
      } catch {
        // Force-removed volume: nothing to release.
      }
    }
    if (dropVolumes) this.#o.volumes.removeAnonymous(record.volumeNames);
    record.logs.clear();
    this.registry.delete(record);
    void this.#o.network.forget?.(record.id).catch(() => undefined);
    if (announce) emitContainer(this.#runtime, record, 'destroy');
  }
}
