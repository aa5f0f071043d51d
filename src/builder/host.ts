/**
 * What a backend gives the builder: the {@link BuildHost}. The builder (src/builder) owns the
 * Dockerfile's meaning (stages, variables, config, COPY/ADD rules, cache keys); a host owns
 * storage and execution (images and layers, running a step, the cache index). The emulator
 * implements it in memory (src/backends/emulator/images/build-host.ts); the native backend
 * implements it over its state root (layers on disk, the cache index in a file).
 *
 * A host's layer handle `L` is opaque to the builder: it only reads `diffId` and `size`, and
 * hands handles back to the host (to run a step on them, to store an image). Layers the builder
 * makes itself (COPY, ADD, WORKDIR) are fs-union {@link Layer}s it gives to
 * {@link BuildHost.importLayer}.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { HealthcheckConfig } from '../core/dockerfile/changes.js';
import type { ImageConfig } from '../core/schemas/image.js';
import type { FileSystemApi } from '../fs-union/fs-api.js';
import type { Layer } from '../fs-union/layer.js';

/** The smallest thing the builder needs to know about a host's layer. */
export interface BuildLayer {
  /** `sha256:...` of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes of content the layer adds (for progress and history). */
  readonly size: number;
}

/** An image config as the builder works on it: the runnable config plus the build-only fields. */
export interface BuildImageConfig extends ImageConfig {
  /** ONBUILD triggers, as written after the keyword. */
  onBuild: string[];
  /** The healthcheck, when one is set. */
  healthcheck?: HealthcheckConfig;
  /** The shell for shell forms (`SHELL`), when not the default `["/bin/sh", "-c"]`. */
  shell?: string[];
}

/** One `history` row of an image config. */
export interface BuildHistoryEntry {
  /** When the step ran. */
  created: Date;
  /** What made it (`RUN /bin/sh -c make # buildkit`). */
  createdBy: string;
  /** `buildkit.dockerfile.v0` for build steps. */
  comment: string;
  /** True for config-only steps (no layer of their own). */
  emptyLayer: boolean;
}

/** An image as the builder sees it: a base (FROM) or a `COPY --from` source. */
export interface BuildBaseImage<L extends BuildLayer> {
  /** Its ID (`sha256:...`). */
  id: string;
  /** Layers, bottom first. */
  layers: L[];
  /** Its config. */
  config: BuildImageConfig;
  /** Its history, oldest first. */
  history: BuildHistoryEntry[];
  /** Top-level author (`MAINTAINER` sets it). */
  author: string;
}

/** A file a RUN step sees but does not keep (a heredoc script, BuildKit's `/dev/pipes/NAME`). */
export interface RunStepFile {
  /** Absolute path inside the step's container. */
  path: string;
  /** Content. */
  content: string;
  /** Permission bits. */
  mode: number;
}

/** A RUN step for {@link BuildHost.run}. */
export interface RunStepSpec<L extends BuildLayer> {
  /** The layers the step's container starts from, bottom first. */
  layers: readonly L[];
  /** The full argument vector (the shell already prepended for the shell form). */
  argv: string[];
  /** The environment as `K=V` (the image's ENV plus the build arguments in scope). */
  env: string[];
  /** Working directory (absolute). */
  workingDir: string;
  /** User to run as (`''`: root); names resolve in the container's passwd as `docker run -u` does. */
  user: string;
  /** Files mounted read-only for this step only. */
  files: RunStepFile[];
  /** Receives the step's output as it comes (stdout and stderr). */
  onOutput?: (chunk: string) => void;
}

/** What a RUN step produced. */
export interface RunStepResult<L extends BuildLayer> {
  /** The command's exit code. */
  exitCode: number;
  /** The diff of the step's container, as a layer (present when the exit code is 0). */
  layer?: L;
  /**
   * Why the command could not be started, in the runtime's words (`unable to find user x: no
   * matching entries in passwd file`); the exit code is then not the command's.
   */
  error?: string;
}

/** What a cache entry remembers for one step. */
export interface BuildCacheRecord<L extends BuildLayer> {
  /** The layer the step made, if it made one. */
  layer?: L;
}

/**
 * The host's cache index: step key to result. Keys are hex digests computed by the builder
 * (parent key, instruction, build arguments in use, content checksums of COPY/ADD sources).
 */
export interface BuildCacheIndex<L extends BuildLayer> {
  /** The record for a key, undefined on a miss (or when the layer it names is gone). */
  get(key: string, signal?: AbortSignal): Promise<BuildCacheRecord<L> | undefined>;
  /** Remembers a step's result. */
  put(key: string, record: BuildCacheRecord<L>, signal?: AbortSignal): Promise<void>;
}

/** What {@link BuildHost.commitImage} stores. */
export interface CommitImageSpec<L extends BuildLayer> {
  /** Layers, bottom first. */
  layers: readonly L[];
  /** The final config. */
  config: BuildImageConfig;
  /** Every history row, oldest first (one non-empty row per layer). */
  history: BuildHistoryEntry[];
  /** Top-level author. */
  author: string;
  /** Creation time. */
  created: Date;
  /** References to tag it with. */
  tags: string[];
}

/**
 * The storage and execution side of a build. Every method may be called with an aborted
 * signal and must then reject with AbortError; none may leave a container behind, even when
 * it fails.
 */
export interface BuildHost<L extends BuildLayer> {
  /**
   * An image by reference or ID, pulled first when it is missing and `pull` is `missing`.
   *
   * @throws NotFoundError when there is no such image (and it cannot be pulled)
   */
  resolveImage(ref: string, options: { pull: 'missing' | 'never'; signal?: AbortSignal }): Promise<BuildBaseImage<L>>;
  /** A read-only filesystem view of a stack of layers (for `COPY --from`, `--chown` names, WORKDIR). */
  openFs(layers: readonly L[], signal?: AbortSignal): Promise<FileSystemApi>;
  /** Turns a layer the builder made into one of the host's. */
  importLayer(layer: Layer, signal?: AbortSignal): Promise<L>;
  /** Runs a step in a temporary container and returns its diff. The container is gone when this settles. */
  run(spec: RunStepSpec<L>, signal?: AbortSignal): Promise<RunStepResult<L>>;
  /** Stores the built image; resolves with its ID. */
  commitImage(spec: CommitImageSpec<L>, signal?: AbortSignal): Promise<{ id: string }>;
  /** The cache index (lives as long as the engine on the emulator, in the state root on native). */
  readonly cache: BuildCacheIndex<L>;
}

/** A build context: a directory on the host, or a tar stream of one. */
export type BuildContextSource = string | Readable;
