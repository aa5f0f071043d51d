/**
 * Schemas and types of the options of container operations: list, logs and commit.
 *
 * @module
 */
import { z } from 'zod';
import { ContainerStatusSchema, type ContainerStatus } from './container-info.js';
import { exactSchema } from './exact.js';
import { strictObject } from './strict.js';
import { DateLike, type SignalOptions } from './validate.js';

/** Filters of `containers.list()`, as `docker ps --filter` takes them; a row must match every filter given. */
export interface ContainerListFilters {
  /** `key` or `key=value` labels the container must carry (all of them). `--filter label=`. */
  label?: string[];
  /** States to include (any of them). `--filter status=`. */
  status?: ContainerStatus[];
  /** Image references or IDs the container was created from (any of them). `--filter ancestor=`. */
  ancestor?: string[];
  /** Regular expressions tested against `/name`, as Docker does (any of them). `--filter name=`. */
  name?: string[];
}

/** Options of `containers.list()`. */
export interface ContainerListOptions extends SignalOptions {
  /** Include containers that are not running. `docker ps -a`. */
  all?: boolean;
  /** Row filters. `docker ps --filter`. */
  filters?: ContainerListFilters;
}

/** Validates {@link ContainerListOptions}. */
export const ContainerListOptionsSchema = exactSchema<ContainerListOptions>()(strictObject({
  all: z.boolean().optional(),
  filters: strictObject({
    label: z.array(z.string()).optional(),
    status: z.array(ContainerStatusSchema).optional(),
    ancestor: z.array(z.string()).optional(),
    name: z.array(z.string()).optional(),
  }).optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** Options of `container.logs()` (the flags of `docker logs`). */
export interface LogsOptions extends SignalOptions {
  /** Keep streaming new lines until the container stops. `-f` / `--follow`. */
  follow?: boolean;
  /** Include stdout lines (default true). The API's `stdout`. */
  stdout?: boolean;
  /** Include stderr lines (default true). The API's `stderr`. */
  stderr?: boolean;
  /** Accepted for parity with `docker logs -t`; the text is unchanged because every {@link LogLine} already carries its `time`. */
  timestamps?: boolean;
  /** Only lines at or after this time (a Date or epoch milliseconds). `--since`. */
  since?: Date | number;
  /** Only lines before this time (a Date or epoch milliseconds). `--until`. */
  until?: Date | number;
  /** Only the last N lines, or `all` (default). `-n` / `--tail`. */
  tail?: number | 'all';
}

/** Validates {@link LogsOptions}. */
export const LogsOptionsSchema = exactSchema<LogsOptions>()(strictObject({
  follow: z.boolean().optional(),
  stdout: z.boolean().optional(),
  stderr: z.boolean().optional(),
  timestamps: z.boolean().optional(),
  since: DateLike.optional(),
  until: DateLike.optional(),
  tail: z.union([z.number().int().min(0), z.literal('all')]).optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** One line of a container's output. */
export interface LogLine {
  /** Which stream the line was written to. */
  stream: 'stdout' | 'stderr';
  /** The text, without its line terminator. */
  text: string;
  /** When the engine received the line. */
  time: Date;
}

/** The parsed logs request a backend receives. */
export interface LogsRequest {
  /** Keep streaming new lines until the container stops or the signal fires. */
  follow: boolean;
  /** Include stdout lines. */
  stdout: boolean;
  /** Include stderr lines. */
  stderr: boolean;
  /** Only lines at or after this time. */
  since?: Date;
  /** Only lines before this time. */
  until?: Date;
  /** Only the last N lines (before following). */
  tail?: number;
}

/** Options of `container.commit()` (the flags of `docker commit`). */
export interface CommitOptions extends SignalOptions {
  /** Repository to tag the new image in (`myapp`); untagged when absent. The `REPOSITORY` of `docker commit`. */
  repo?: string;
  /** Tag within `repo` (default `latest`). The `:TAG` of `docker commit`. */
  tag?: string;
  /** Commit message, kept as the history entry's comment. `-m` / `--message`. */
  message?: string;
  /** Author recorded in the image. `-a` / `--author`. */
  author?: string;
  /** Pause the container while committing (default true, as Docker does). `-p` / `--pause`. */
  pause?: boolean;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV a=b`). `-c` / `--change`. */
  changes?: string[];
}

/** Validates {@link CommitOptions}. */
export const CommitOptionsSchema = exactSchema<CommitOptions>()(strictObject({
  repo: z.string().optional(),
  tag: z.string().optional(),
  message: z.string().optional(),
  author: z.string().optional(),
  pause: z.boolean().optional(),
  changes: z.array(z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));
