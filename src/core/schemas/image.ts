/**
 * Schemas and types of images: what every backend returns (`ImageInfo`, `ImageSummary`,
 * `HistoryEntry`) and the options of pull, import and build.
 *
 * @module
 */
import { z } from 'zod';
import type { Image } from '../image.js';
import type { ByteSource } from '../streams.js';
import { exactSchema } from './exact.js';
import { strictObject } from './strict.js';
import type { SignalOptions } from './validate.js';

/** The runnable configuration of an image (the `config` object of an OCI image config). */
export interface ImageConfig {
  /** Environment as `K=V` strings. Docker's `Config.Env` (Dockerfile `ENV`). */
  env: string[];
  /** Default command; null when unset. Docker's `Config.Cmd` (Dockerfile `CMD`). */
  cmd: string[] | null;
  /** Entrypoint; null when unset. Docker's `Config.Entrypoint` (Dockerfile `ENTRYPOINT`). */
  entrypoint: string[] | null;
  /** Working directory (`''` = `/`). Docker's `Config.WorkingDir` (Dockerfile `WORKDIR`). */
  workingDir: string;
  /** User containers run as (`''` = root). Docker's `Config.User` (Dockerfile `USER`). */
  user: string;
  /** Exposed ports as `port/protocol` (`80/tcp`). The keys of Docker's `Config.ExposedPorts` (Dockerfile `EXPOSE`). */
  exposedPorts: string[];
  /** Paths that get an anonymous volume in each container. The keys of Docker's `Config.Volumes` (Dockerfile `VOLUME`). */
  volumes: string[];
  /** Labels. Docker's `Config.Labels` (Dockerfile `LABEL`). */
  labels: Record<string, string>;
  /** Signal that stops a container (`''` = SIGTERM). Docker's `Config.StopSignal` (Dockerfile `STOPSIGNAL`). */
  stopSignal: string;
}

/** Validates an {@link ImageConfig}. */
export const ImageConfigSchema = exactSchema<ImageConfig>()(z.object({
  env: z.array(z.string()),
  cmd: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  workingDir: z.string(),
  user: z.string(),
  exposedPorts: z.array(z.string()),
  volumes: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  stopSignal: z.string(),
}));

/** The layers an image is made of (Docker's `RootFS`). */
export interface ImageRootfsInfo {
  /** The uncompressed layer digests (`sha256:...`), bottom layer first. Docker's `RootFS.Layers`. */
  diffIds: string[];
}

/** What `image.inspect()` returns on every backend (`docker image inspect`). */
export interface ImageInfo {
  /** Image ID: `sha256:` and the digest of the config. Docker's `Id`. */
  id: string;
  /** References in familiar form (`centos:7`, `myreg:5000/app:1`); empty when untagged. Docker's `RepoTags`. */
  repoTags: string[];
  /** When the image was built or committed. Docker's `Created`. */
  created: Date;
  /** Author (`docker commit -a`, Dockerfile `MAINTAINER`); `''` when none. Docker's `Author`. */
  author: string;
  /** Comment (`docker commit -m`, `docker import -m`); `''` when none. Docker's `Comment`. */
  comment: string;
  /** CPU architecture (`amd64`, `arm64`). Docker's `Architecture`. */
  architecture: string;
  /** Operating system (`linux`). Docker's `Os`. */
  os: string;
  /** Runnable configuration. Docker's `Config`. */
  config: ImageConfig;
  /** Layers. Docker's `RootFS`. */
  rootfs: ImageRootfsInfo;
  /** Bytes of all layers, uncompressed. Docker's `Size`. */
  size: number;
}

/** Validates an {@link ImageInfo}. */
export const ImageInfoSchema = exactSchema<ImageInfo>()(z.object({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  repoTags: z.array(z.string()),
  created: z.date(),
  author: z.string(),
  comment: z.string(),
  architecture: z.string(),
  os: z.string(),
  config: ImageConfigSchema,
  rootfs: z.object({ diffIds: z.array(z.string()) }),
  size: z.number().int().min(0),
}));

/** A row of `docker images` (what `images.list()` returns). */
export interface ImageSummary {
  /** Image ID (`sha256:...`). Docker's `Id`. */
  id: string;
  /** References in familiar form; empty when untagged (Docker shows `<none>:<none>`). Docker's `RepoTags`. */
  repoTags: string[];
  /** When the image was built or committed. Docker's `Created`. */
  created: Date;
  /** Bytes of all layers, uncompressed. Docker's `Size`. */
  size: number;
}

/** Validates an {@link ImageSummary}. */
export const ImageSummarySchema = exactSchema<ImageSummary>()(z.object({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  repoTags: z.array(z.string()),
  created: z.date(),
  size: z.number().int().min(0),
}));

/** A row of `docker history`, newest first. */
export interface HistoryEntry {
  /** ID of the image this step produced, or `<missing>` for steps that are not images of their own (pulled or built elsewhere). Docker's `Id`. */
  id: string;
  /** When the step ran. Docker's `Created`. */
  created: Date;
  /** The instruction or command that made the step (`/bin/sh -c #(nop)  CMD ["sh"]`). Docker's `CreatedBy`. */
  createdBy: string;
  /** Bytes the step's layer adds (0 for config-only steps). Docker's `Size`. */
  size: number;
  /** Comment (a commit or import message). Docker's `Comment`. */
  comment: string;
  /** The step changed only the config and has no layer (OCI history's `empty_layer`). */
  emptyLayer: boolean;
}

/** Validates a {@link HistoryEntry}. */
export const HistoryEntrySchema = exactSchema<HistoryEntry>()(z.object({
  id: z.string(),
  created: z.date(),
  createdBy: z.string(),
  size: z.number().int().min(0),
  comment: z.string(),
  emptyLayer: z.boolean(),
}));

/** A progress report of a pull, push, build, load or import. */
export interface ProgressEvent {
  /** The layer or step the report is about. */
  id?: string;
  /** What is happening (`Pulling fs layer`, `Step 2/5 : RUN ...`, a build output line...). */
  status: string;
  /** Bytes or units done. */
  current?: number;
  /** Bytes or units in all. */
  total?: number;
}

/** A function that receives {@link ProgressEvent}s. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** Validates a {@link ProgressCallback} (only that it is a function: its behaviour is the caller's). */
export const ProgressCallbackSchema = exactSchema<ProgressCallback>()(z.custom<ProgressCallback>(
  (value) => typeof value === 'function',
  'expected a function',
));

/** Options of `images.pull()` (`docker pull`). */
export interface PullOptions extends SignalOptions {
  /** Progress reports (per layer). */
  onProgress?: ProgressCallback;
  /** Platform to pull (`linux/amd64`). `docker pull --platform`. */
  platform?: string;
}

/** Validates {@link PullOptions}. */
export const PullOptionsSchema = exactSchema<PullOptions>()(strictObject({
  onProgress: ProgressCallbackSchema.optional(),
  platform: z.string().optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** Options of `images.import()` (`docker import`). */
export interface ImportOptions extends SignalOptions {
  /** Reference to tag the image with (`debian:test`); untagged when absent. The `REPOSITORY[:TAG]` of `docker import`. */
  ref?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV a=b`). `-c` / `--change`. */
  changes?: string[];
  /** Commit message recorded in the history. `-m` / `--message`. */
  message?: string;
}

/** Validates {@link ImportOptions}. */
export const ImportOptionsSchema = exactSchema<ImportOptions>()(strictObject({
  ref: z.string().optional(),
  changes: z.array(z.string()).optional(),
  message: z.string().optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** What `images.build()` accepts (`docker build`). */
export interface BuildSpec extends SignalOptions {
  /** A directory on the host, or a tar of the context. The `PATH` argument of `docker build`. */
  context: string | ByteSource;
  /** Path of the Dockerfile inside the context (default `Dockerfile`). `-f` / `--file`. */
  dockerfile?: string;
  /** References to tag the result with. `-t` / `--tag`. */
  tags?: string[];
  /** Values of the Dockerfile's `ARG`s. `--build-arg`. */
  buildArgs?: Record<string, string>;
  /** The stage to build (default the last). `--target`. */
  target?: string;
  /** Ignore the build cache. `--no-cache`. */
  noCache?: boolean;
  /** Labels added to the image. `--label`. */
  labels?: Record<string, string>;
  /** Progress reports (steps and their output). */
  onProgress?: ProgressCallback;
}

/**
 * Validates a {@link BuildSpec}. `context` is only checked for presence here: whether it is
 * a usable byte source is decided when it is read, where the error can name what was given.
 */
export const BuildSpecSchema = exactSchema<BuildSpec>()(strictObject({
  context: z.custom<string | ByteSource>((value) => value !== undefined && value !== null, 'expected a context directory or tar'),
  dockerfile: z.string().optional(),
  tags: z.array(z.string()).optional(),
  buildArgs: z.record(z.string(), z.string()).optional(),
  target: z.string().optional(),
  noCache: z.boolean().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  onProgress: ProgressCallbackSchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** One executed build step. */
export interface BuildStep {
  /** The instruction as written (`RUN echo hi`). */
  instruction: string;
  /** Whether the step came from the build cache. */
  cached: boolean;
  /** The diffID (`sha256:...`) of the layer the step made, for RUN, COPY, ADD and WORKDIR, when the backend knows it. */
  layer?: string;
}

/** What `images.build()` resolves with. */
export interface BuildResult {
  /** The built image (its handle refers to the spec's first tag, if any, else the ID). */
  image: Image;
  /** The steps run, in order, each with whether it came from the cache. */
  steps: BuildStep[];
}

/** What `image.remove()` did, as `docker rmi` reports it. */
export interface ImageRemoveResult {
  /** References that were untagged. */
  untagged: string[];
  /** Image (and parent) IDs that were deleted. */
  deleted: string[];
}
