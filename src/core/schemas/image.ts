/**
 * Schemas and types of images.
 *
 * @module
 */
import { z } from 'zod';

/** The runnable configuration of an image (the `config` object of an OCI image config). */
export const ImageConfigSchema = z.object({
  env: z.array(z.string()),
  cmd: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  workingDir: z.string(),
  user: z.string(),
  exposedPorts: z.array(z.string()),
  volumes: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  stopSignal: z.string(),
});
/** The runnable configuration of an image. */
export type ImageConfig = z.infer<typeof ImageConfigSchema>;

/** What `image.inspect()` returns on every backend. */
export const ImageInfoSchema = z.object({
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
});
/** What `image.inspect()` returns on every backend. */
export type ImageInfo = z.infer<typeof ImageInfoSchema>;

/** A row of `docker images`. */
export const ImageSummarySchema = z.object({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  repoTags: z.array(z.string()),
  created: z.date(),
  size: z.number().int().min(0),
});
/** A row of `docker images`. */
export type ImageSummary = z.infer<typeof ImageSummarySchema>;

/** A row of `docker history`. */
export const HistoryEntrySchema = z.object({
  id: z.string(),
  created: z.date(),
  createdBy: z.string(),
  size: z.number().int().min(0),
  comment: z.string(),
  emptyLayer: z.boolean(),
});
/** A row of `docker history` (`id` is `<missing>` for entries that are not images of their own). */
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

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

/** A progress callback. */
export const ProgressCallbackSchema = z.custom<(event: ProgressEvent) => void>(
  (value) => typeof value === 'function',
  'expected a function',
);

/** Options of `images.pull()`. */
export const PullOptionsSchema = z.object({
  onProgress: ProgressCallbackSchema.optional(),
  platform: z.string().optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** Options of `images.import()`. */
export const ImportOptionsSchema = z.object({
  ref: z.string().optional(),
  changes: z.array(z.string()).optional(),
  message: z.string().optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** What `images.build()` accepts (besides `context`, checked separately). */
export const BuildSpecSchema = z.object({
  context: z.unknown(),
  dockerfile: z.string().optional(),
  tags: z.array(z.string()).optional(),
  buildArgs: z.record(z.string(), z.string()).optional(),
  target: z.string().optional(),
  noCache: z.boolean().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  onProgress: ProgressCallbackSchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** One executed build step. */
export interface BuildStep {
  /** The instruction as written (`RUN echo hi`). */
  instruction: string;
  /** Whether the step came from the build cache. */
  cached: boolean;
}

/** What `image.remove()` did, as `docker rmi` reports it. */
export interface ImageRemoveResult {
  /** References that were untagged. */
  untagged: string[];
  /** Image (and parent) IDs that were deleted. */
  deleted: string[];
}
