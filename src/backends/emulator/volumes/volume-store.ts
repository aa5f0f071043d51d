/**
 * The emulator's volumes: named and anonymous, each an in-memory filesystem.
 *
 * A volume lives on after the containers that used it (as in Docker) and records who mounts
 * it, so `remove` refuses a volume in use and `containers.remove({ volumes: true })` can drop
 * the anonymous volumes of a container. A fresh volume is filled from the image directory it
 * is first mounted over (see mounts/), which is why {@link EmulatorVolume.populated} exists.
 *
 * @module
 */
import type { CallOptions, VolumeBackend } from '../../../core/backend.js';
import { ConflictError, NotFoundError, throwIfAborted } from '../../../core/errors.js';
import type { EngineEvent, VolumeInfo } from '../../../core/schemas/index.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';

/** A stored volume. */
export interface EmulatorVolume {
  /** The volume's name (64 hex characters for anonymous volumes). */
  readonly name: string;
  /** Created without a name. */
  readonly anonymous: boolean;
  /** User labels. */
  readonly labels: Record<string, string>;
  /** Creation time. */
  readonly created: Date;
  /** The volume's content. */
  readonly fs: FileSystemApi;
  /** IDs of the containers that mount it. */
  readonly users: Set<string>;
  /** Whether its content has been initialised (copied from an image directory, or used). */
  populated: boolean;
}

/** Options of {@link VolumeStore}. */
export interface VolumeStoreOptions {
  /** The time of creation records. */
  now: () => Date;
  /** Names of anonymous volumes (64 hex). */
  newId: () => string;
  /** Makes the empty filesystem of a new volume. */
  createFs: () => FileSystemApi;
  /** Receives volume events. */
  onEvent?: (event: EngineEvent) => void;
}

/** Every volume of one emulated engine. */
export class VolumeStore {
  #volumes = new Map<string, EmulatorVolume>();
  readonly #options: VolumeStoreOptions;
  /** The volumes part of the Backend interface. */
  readonly backend: VolumeBackend;

  constructor(options: VolumeStoreOptions) {
    this.#options = options;
    this.backend = {
      create: async (spec, opts) => {
        throwIfAborted(opts?.signal);
        return infoOf(this.ensure(spec.name, spec.labels));
      },
      list: async (opts?: CallOptions) => {
        throwIfAborted(opts?.signal);
        return [...this.#volumes.values()].map(infoOf);
      },
      inspect: async (name, opts) => {
        throwIfAborted(opts?.signal);
        return infoOf(this.get(name));
      },
      remove: async (name, opts) => {
        throwIfAborted(opts?.signal);
        this.remove(name, opts?.force ?? false);
      },
    };
  }

  /**
   * The volume called `name`, created when missing (an existing one is returned as it is, as
   * Docker does); no name makes an anonymous volume.
   */
  ensure(name: string | undefined, labels: Record<string, string> = {}): EmulatorVolume {
    if (name !== undefined) {
      const existing = this.#volumes.get(name);
      if (existing) return existing;
    }
    const volume: EmulatorVolume = {
      name: name ?? this.#options.newId(),
      anonymous: name === undefined,
      labels: { ...labels },
      created: this.#options.now(),
      fs: this.#options.createFs(),
      users: new Set(),
      populated: false,
    };
    this.#volumes.set(volume.name, volume);
    this.#emit('create', volume.name);
    return volume;
  }

  /**
   * The volume called `name`.
   *
   * @throws NotFoundError `get <name>: no such volume`, Docker's text
   */
  get(name: string): EmulatorVolume {
    const volume = this.#volumes.get(name);
    if (!volume) throw new NotFoundError(`get ${name}: no such volume`, { details: { volume: name } });
    return volume;
  }

  /** Drops the volumes `names` that are anonymous and no longer used (container removal). */
  removeAnonymous(names: Iterable<string>): void {
    for (const name of names) {
      const v = this.#volumes.get(name);
      if (v && v.anonymous && v.users.size === 0) this.remove(name, false);
    }
  }

  /**
   * Removes a volume.
   *
   * @throws ConflictError while a container uses it (unless `force`)
   */
  remove(name: string, force: boolean): void {
    const volume = this.get(name);
    if (volume.users.size > 0 && !force) {
      const ids = [...volume.users].join(', ');
      throw new ConflictError(`remove ${name}: volume is in use - [${ids}]`, { details: { volume: name, containers: [...volume.users] } });
    }
    this.#volumes.delete(name);
    this.#emit('destroy', name);
  }

  #emit(action: 'create' | 'destroy', name: string): void {
    this.#options.onEvent?.({ type: 'volume', action, id: name, name, time: this.#options.now(), attributes: { driver: 'local' } });
  }
}

function infoOf(v: EmulatorVolume): VolumeInfo {
  return { name: v.name, driver: 'local', labels: { ...v.labels }, created: v.created, anonymous: v.anonymous };
}
