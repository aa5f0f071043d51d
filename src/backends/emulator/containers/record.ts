/**
 * The state the emulator keeps for one container, and the registry that finds containers by
 * name, full ID or unique ID prefix.
 *
 * @module
 */
import type { PassThrough, Writable } from 'node:stream';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { ContainerCreateRequest, ContainerInfo, ContainerStatus, PortRow } from '../../../core/schemas/index.js';
import type { EngineFile } from '../mounts/engine-file.js';
import type { MountedFs } from '../mounts/mounted-fs.js';
import type { ImageRecordLike, RootfsLike } from './deps.js';
import type { LogBuffer } from './log-buffer.js';
import type { PauseGate } from './pause-gate.js';
import type { EmulatedProcess } from './process.js';
import type { ProcessTable } from './process-table.js';
import type { Scheduler } from './scheduler.js';

/** A mount as inspect reports it, plus the volume it holds (for release on removal). */
export type MountRecord = ContainerInfo['mounts'][number];

/** Everything the emulator knows about one container. */
export interface ContainerRecord {
  /** 64 hex characters. */
  readonly id: string;
  /** Current name, without a slash. */
  name: string;
  /** When it was created. */
  readonly created: Date;
  /** The image reference as the user gave it. */
  readonly imageRef: string;
  /** The image it was created from. */
  readonly image: ImageRecordLike;
  /** The create request, as core parsed it. */
  readonly request: ContainerCreateRequest;
  /** The effective config (image defaults merged with the request). */
  readonly config: ContainerInfo['config'];
  /** The signal `stop` sends first. */
  readonly stopSignal: string;
  /** Seconds `stop` waits before SIGKILL when the caller gives none. */
  readonly stopTimeout: number;
  /** Lifecycle state. */
  state: {
    status: ContainerStatus;
    exitCode: number;
    startedAt?: Date;
    finishedAt?: Date;
  };
  /** The container's own layer stack (image layers + read-write layer). */
  readonly rootfs: RootfsLike;
  /** The filesystem programs see (rootfs + volumes + binds + engine files). */
  readonly fs: MountedFs;
  /** `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`, `/.dockerenv`, by path. */
  readonly engineFiles: ReadonlyMap<string, EngineFile>;
  /** Mounts as inspect shows them. */
  readonly mounts: MountRecord[];
  /** Names of the volumes this container mounts (released on removal). */
  readonly volumeNames: string[];
  /** Published ports while running. */
  ports: PortRow[];
  /** Kept output. */
  readonly logs: LogBuffer;
  /** The freezer shared by every process of the container. */
  readonly gate: PauseGate;
  /** The container's processes (its PID space and process limit); emptied when a run ends. */
  readonly processes: ProcessTable;
  /** The container's share of the event loop, shared by every process of the container. */
  readonly scheduler: Scheduler;
  /** The main process while running. */
  main?: EmulatedProcess;
  /** The main process's stdin (containers created with `openStdin`); renewed per run. */
  stdin?: PassThrough;
  /** Readers attached to the main process's output (before or during a run). */
  readonly attached: { stdout: Set<PassThrough>; stderr: Set<PassThrough> };
  /** Where the main process's output goes (logs and attached readers). */
  output?: { stdout: Writable; stderr: Writable };
  /** Exec'd processes still running. */
  readonly execs: Set<EmulatedProcess>;
  /** Resolves when the current run has been fully wound down (state, ports, events). */
  exited?: Promise<void>;
  /** Set while a stop/kill/remove is winding it down, so autoRemove does not race. */
  removing: boolean;
}

/** Every container of one emulated engine. */
export class ContainerRegistry {
  #byId = new Map<string, ContainerRecord>();
  #byName = new Map<string, ContainerRecord>();

  /** Every container, oldest first. */
  all(): ContainerRecord[] {
    return [...this.#byId.values()];
  }

  /** The container holding `name`, if any. */
  byName(name: string): ContainerRecord | undefined {
    return this.#byName.get(name.replace(/^\//, ''));
  }

  /**
   * Finds a container by name (with or without `/`), full ID or unique ID prefix.
   *
   * @throws NotFoundError `No such container: <ref>`; InvalidArgumentError for an ambiguous prefix
   */
  get(ref: string): ContainerRecord {
    const found = this.find(ref);
    if (!found) throw new NotFoundError(`No such container: ${ref}`, { details: { container: ref } });
    return found;
  }

  /** Like {@link get}, undefined when missing. */
  find(ref: string): ContainerRecord | undefined {
    const exact = this.#byId.get(ref) ?? this.byName(ref);
    if (exact) return exact;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = this.all().filter((c) => c.id.startsWith(ref));
    if (matches.length > 1) {
      throw new InvalidArgumentError(`Multiple IDs found with provided prefix: ${ref}`, { details: { container: ref } });
    }
    return matches[0];
  }

  /** Adds a new container. */
  add(record: ContainerRecord): void {
    this.#byId.set(record.id, record);
    this.#byName.set(record.name, record);
  }

  /**
   * Gives a container a new name.
   *
   * @throws ConflictError with Docker's text when the name is taken
   */
  rename(record: ContainerRecord, name: string): void {
    this.assertNameFree(name);
    this.#byName.delete(record.name);
    record.name = name;
    this.#byName.set(name, record);
  }

  /** @throws ConflictError with Docker's text when `name` is taken */
  assertNameFree(name: string): void {
    const holder = this.#byName.get(name);
    if (holder) {
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name, container: holder.id } },
      );
    }
  }

  /** Forgets a container. */
  delete(record: ContainerRecord): void {
    this.#byId.delete(record.id);
    if (this.#byName.get(record.name) === record) this.#byName.delete(record.name);
  }
}
