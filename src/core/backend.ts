/**
 * The Backend interface: what an engine implementation provides, grouped by resource.
 *
 * The public objects (`Engine`, `Container`, `Image`, `Volume`, `Network`) are written once in
 * core and only call this interface. Backends receive inputs already validated and parsed by
 * core (they trust them), return plain serialisable data in the shapes of `src/core/schemas`,
 * and throw the classes of `src/core/errors.ts`. A reference (`ref`) is whatever the user gave
 * to find a resource: a name, a full ID or a unique ID prefix (containers, networks), an image
 * reference or ID (images), a volume name.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type {
  Change,
  ContainerCreateRequest,
  ContainerInfo,
  ContainerListFilters,
  ContainerSummary,
  EngineEvent,
  HistoryEntry,
  ImageInfo,
  ImageRemoveResult,
  ImageSummary,
  LogLine,
  LogsRequest,
  NetworkInfo,
  ProgressEvent,
  VolumeInfo,
  BuildStep,
} from './schemas/index.js';

/** What a backend can do; the conformance suite skips (visibly) what is false. */
export interface BackendCapabilities {
  /** Pseudo-TTYs for containers and exec. */
  tty: boolean;
  /** `spawn().kill()` can signal an exec'd process. */
  execKill: boolean;
  /** pause/unpause. */
  pause: boolean;
  /** User-defined networks with aliases. */
  networks: boolean;
  /** Legacy container links. */
  links: boolean;
  /** Publishing container ports on the host. */
  publishPorts: boolean;
  /** Dockerfile builds. */
  build: boolean;
  /** Heredocs in Dockerfiles (`RUN <<EOF`). */
  buildHeredocs: boolean;
  /** `RUN --mount=...`. */
  buildMounts: boolean;
  /** Pushing to a registry. */
  push: boolean;
  /** Engine-wide events. */
  events: boolean;
  /** Containers keep running after the SDK process exits. */
  detached: boolean;
}

/** Options every backend call accepts. */
export interface CallOptions {
  /** Cancels the call: it rejects with AbortError. */
  signal?: AbortSignal;
}

/** A process started inside a container (exec) or the main process's streams (attach). */
export interface ProcessIO {
  /** Standard input, when it was requested; `end()` closes the process's stdin. */
  stdin: Writable | null;
  /** Standard output (for a TTY, everything the terminal printed). */
  stdout: Readable;
  /** Standard error (empty for a TTY). */
  stderr: Readable;
}

/** An exec'd process. */
export interface ExecProcess extends ProcessIO {
  /** Resolves to the exit code once the process has ended and its output is drained. */
  exit: Promise<number>;
  /** Signals the process; UnsupportedError where `capabilities.execKill` is false. */
  kill(signal?: string): Promise<void>;
}

/** The parsed exec request a backend receives. */
export interface ExecRequest {
  /** The command and its arguments. */
  argv: string[];
  /** Extra `K=V` environment entries. */
  env: string[];
  /** Working directory (default: the container's). */
  workingDir?: string;
  /** User (default: the container's). */
  user?: string;
  /** Attach a stdin stream. */
  stdin: boolean;
  /** Allocate a pseudo-TTY. */
  tty: boolean;
}

/** Container filters as the backend receives them. */
export interface ContainerListRequest {
  /** Include stopped containers. */
  all: boolean;
  /** Filters, each matching if any of its values matches (`label`: all of them); all filters must match. */
  filters: ContainerListFilters;
}

/** What `containers.create` resolves with (Docker's create response). */
export interface ContainerCreateResult {
  /** The new container's full ID. Docker's `Id`. */
  id: string;
  /** Its name, generated when the request had none. */
  name: string;
  /** Non-fatal remarks about the request (Docker's `Warnings`), often empty. */
  warnings: string[];
}

/** How a container's main process ended, from `wait()`. */
export interface WaitResult {
  /** The exit code (128 + signal number when killed by a signal). Docker's `StatusCode`. */
  exitCode: number;
}

/** What `containers.commit` resolves with. */
export interface CommitResult {
  /** The new image's ID (`sha256:...`). */
  imageId: string;
}

/** An image a backend pulled or imported. */
export interface ImageIdResult {
  /** The image's ID (`sha256:...`). */
  id: string;
}

/** What `images.build` resolves with at the backend level. */
export interface BuildRequestResult {
  /** The built image's ID (`sha256:...`). */
  id: string;
  /** The steps run, in order, each with whether it came from the cache. */
  steps: BuildStep[];
}

/** One image an archive held, as `images.load` reports it. */
export interface LoadedImage {
  /** The image's ID (`sha256:...`). */
  id: string;
  /** The references the archive gave it (familiar form), possibly none. */
  repoTags: string[];
}

/** The commit request a backend receives. */
export interface CommitRequest {
  /** Repository to tag the new image with (`centos`). */
  repo?: string;
  /** Tag (default `latest` when `repo` is given). */
  tag?: string;
  /** Commit message (history comment). */
  message?: string;
  /** Author. */
  author?: string;
  /** Pause the container while committing (default true, as Docker). */
  pause: boolean;
  /** Dockerfile instructions applied to the new image's config. */
  changes: string[];
}

/** The containers part of a backend. */
export interface ContainerBackend {
  /** Creates a container; the image must exist (NotFoundError otherwise). */
  create(request: ContainerCreateRequest, options?: CallOptions): Promise<ContainerCreateResult>;
  /** Inspects a container by reference. */
  inspect(ref: string, options?: CallOptions): Promise<ContainerInfo>;
  /** Lists containers. */
  list(request: ContainerListRequest, options?: CallOptions): Promise<ContainerSummary[]>;
  /** Starts a container; a running one is left as it is. */
  start(id: string, options?: CallOptions): Promise<void>;
  /** Sends the stop signal, then SIGKILL after `timeout` seconds. */
  stop(id: string, options?: CallOptions & { timeout?: number }): Promise<void>;
  /** Sends a POSIX signal (`SIGKILL`, `SIGTERM`, `HUP`, `9` ...) to the main process. */
  kill(id: string, posixSignal: string, options?: CallOptions): Promise<void>;
  /** Stops (with `timeout`) and starts again. */
  restart(id: string, options?: CallOptions & { timeout?: number }): Promise<void>;
  /** Freezes every process of the container. */
  pause(id: string, options?: CallOptions): Promise<void>;
  /** Thaws a paused container. */
  unpause(id: string, options?: CallOptions): Promise<void>;
  /** Renames a container (ConflictError if the name is taken). */
  rename(id: string, name: string, options?: CallOptions): Promise<void>;
  /** Removes a container (ConflictError if running and not `force`). */
  remove(id: string, options?: CallOptions & { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Resolves with the exit code once the container is not running (at once if it is not). */
  wait(id: string, options?: CallOptions): Promise<WaitResult>;
  /** Starts a process inside a running container (ConflictError if stopped or paused). */
  exec(id: string, request: ExecRequest, options?: CallOptions): Promise<ExecProcess>;
  /** Attaches to the main process's streams. */
  attach(id: string, options?: CallOptions & { stdin?: boolean }): Promise<ProcessIO>;
  /** The container's output lines. */
  logs(id: string, request: LogsRequest, options?: CallOptions): AsyncIterable<LogLine>;
  /** Filesystem changes against the image, as `docker diff`. */
  diff(id: string, options?: CallOptions): Promise<Change[]>;
  /** Commits the container's changes as a new image; resolves with its ID. */
  commit(id: string, request: CommitRequest, options?: CallOptions): Promise<CommitResult>;
  /** A tar of `path` (named by its base name), like `docker cp` out of the container. */
  getArchive(id: string, path: string, options?: CallOptions): Promise<Readable>;
  /** Unpacks a tar into the existing directory `path`. */
  putArchive(id: string, path: string, tar: Readable, options?: CallOptions): Promise<void>;
  /** A tar of the whole filesystem, like `docker export`. */
  export(id: string, options?: CallOptions): Promise<Readable>;
}

/** The build request a backend receives. */
export interface BuildRequest {
  /** A directory on the host, or a tar stream of the context. */
  context: string | Readable;
  /** Path of the Dockerfile inside the context. */
  dockerfile: string;
  /** References to tag the result with. */
  tags: string[];
  /** `--build-arg` values. */
  buildArgs: Record<string, string>;
  /** Stage to stop at. */
  target?: string;
  /** Ignore the build cache. */
  noCache: boolean;
  /** Labels added to the result. */
  labels: Record<string, string>;
  /** Progress reports (step headers and output lines). */
  onProgress?: (event: ProgressEvent) => void;
}

/** The images part of a backend. */
export interface ImageBackend {
  /** Pulls an image (NotFoundError if the registry or catalogue has none); resolves with its ID. */
  pull(ref: string, options?: CallOptions & { onProgress?: (e: ProgressEvent) => void; platform?: string }): Promise<ImageIdResult>;
  /** Pushes a tagged image to the registry in its name. */
  push(ref: string, options?: CallOptions & { onProgress?: (e: ProgressEvent) => void }): Promise<void>;
  /** Imports a rootfs tar (plain or compressed) as a one-layer image. */
  import(source: Readable, options: CallOptions & { ref?: string; changes: string[]; message?: string }): Promise<ImageIdResult>;
  /** Builds an image from a Dockerfile. */
  build(request: BuildRequest, options?: CallOptions): Promise<BuildRequestResult>;
  /** Lists images. */
  list(options?: CallOptions): Promise<ImageSummary[]>;
  /** Inspects an image by reference or ID. */
  inspect(ref: string, options?: CallOptions): Promise<ImageInfo>;
  /** The image's history, newest first. */
  history(ref: string, options?: CallOptions): Promise<HistoryEntry[]>;
  /** Adds a reference to an image. */
  tag(ref: string, newRef: string, options?: CallOptions): Promise<void>;
  /** Like `docker rmi`: untags `ref`; deletes the image when no tag is left. */
  remove(ref: string, options?: CallOptions & { force?: boolean }): Promise<ImageRemoveResult>;
  /** An image archive of the given images. */
  save(refs: string[], options?: CallOptions & { format: 'docker' | 'oci' }): Promise<Readable>;
  /** Loads an image archive; resolves with the IDs (and tags) it held. */
  load(tar: Readable, options?: CallOptions): Promise<LoadedImage[]>;
}

/** The volumes part of a backend. */
export interface VolumeBackend {
  /** Creates a volume (a name in use returns the existing volume, as Docker does). */
  create(spec: { name?: string; labels: Record<string, string> }, options?: CallOptions): Promise<VolumeInfo>;
  /** Lists volumes. */
  list(options?: CallOptions): Promise<VolumeInfo[]>;
  /** Inspects a volume. */
  inspect(name: string, options?: CallOptions): Promise<VolumeInfo>;
  /** Removes a volume (ConflictError while a container uses it, unless `force`). */
  remove(name: string, options?: CallOptions & { force?: boolean }): Promise<void>;
}

/** The networks part of a backend. */
export interface NetworkBackend {
  /** Creates a bridge network. */
  create(spec: { name: string; subnet?: string; internal: boolean; labels: Record<string, string> }, options?: CallOptions): Promise<NetworkInfo>;
  /** Lists networks, the default `bridge` included. */
  list(options?: CallOptions): Promise<NetworkInfo[]>;
  /** Inspects a network by name, ID or ID prefix. */
  inspect(ref: string, options?: CallOptions): Promise<NetworkInfo>;
  /** Connects a container. */
  connect(network: string, container: string, options?: CallOptions & { aliases?: string[] }): Promise<void>;
  /** Disconnects a container. */
  disconnect(network: string, container: string, options?: CallOptions & { force?: boolean }): Promise<void>;
  /** Removes a network (ConflictError while containers are connected). */
  remove(ref: string, options?: CallOptions): Promise<void>;
}

/** A live subscription to engine events. */
export interface EventSubscription {
  /** Ends the subscription. */
  close(): Promise<void>;
}

/**
 * An engine implementation. Write one to run Stowage over something new; check it with
 * `describeBackend` from `stowage/testing`.
 */
export interface Backend {
  /** Short name (`emulator`, `docker`, `native`, or your own). */
  readonly name: string;
  /** What this backend can do. */
  readonly capabilities: BackendCapabilities;
  /** Containers. */
  readonly containers: ContainerBackend;
  /** Images. */
  readonly images: ImageBackend;
  /** Volumes. */
  readonly volumes: VolumeBackend;
  /** Networks. */
  readonly networks: NetworkBackend;
  /** Starts delivering engine-wide events to `listener` until the subscription is closed. */
  subscribeEvents(listener: (event: EngineEvent) => void, onError: (error: unknown) => void): Promise<EventSubscription>;
  /** Releases sockets, timers and listeners. Called once by `engine.close()`. */
  close(): Promise<void>;
}
