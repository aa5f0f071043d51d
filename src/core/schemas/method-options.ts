/**
 * Schemas and types of the small option bags of handle methods (stop, kill, remove, attach,
 * spawn, push, connect, ...). Each is checked at the edge like a spec: wrong types and unknown
 * keys are an InvalidArgumentError naming the field, never a silent default.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { exactSchema } from './exact.js';
import { ProgressCallbackSchema, type ProgressCallback } from './image.js';
import { strictObject } from './strict.js';
import type { SignalOptions } from './validate.js';

const signal = z.instanceof(AbortSignal).optional();
const envSchema = z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional();

/** Options of `container.stop()` and `container.restart()` (`docker stop -t`). */
export interface StopOptions extends SignalOptions {
  /**
   * Seconds to wait after the stop signal before SIGKILL (default: the container's
   * `stopTimeout`, else 10); 0 kills at once; a negative number waits as long as it takes,
   * as the engine does. `-t` / `--time`.
   */
  timeout?: number;
}

/** Validates {@link StopOptions}. */
export const StopOptionsSchema = exactSchema<StopOptions>()(strictObject({
  timeout: z.number().int('timeout must be a whole number of seconds').optional(),
  signal,
}));

/** The POSIX signal of `container.kill()` (`docker kill -s`). */
export interface KillOptions {
  /**
   * Signal name or number as the engine takes it: `SIGKILL` (default), `KILL`, `kill`, `9`,
   * `SIGRTMIN+3`. Anything else is refused (`Invalid signal: SIGBOGUS`). `-s` / `--signal`.
   */
  signal?: string | number;
}

/** Validates {@link KillOptions} (the signal's own check is `parseSignal`'s). */
export const KillOptionsSchema = exactSchema<KillOptions>()(strictObject({
  signal: z.union([z.string(), z.number()]).optional(),
}));

/** Options of `container.remove()` (`docker rm`). */
export interface ContainerRemoveOptions extends SignalOptions {
  /** Kill a running container first. `-f` / `--force`. */
  force?: boolean;
  /** Remove its anonymous volumes too. `-v` / `--volumes`. */
  volumes?: boolean;
}

/** Validates {@link ContainerRemoveOptions}. */
export const ContainerRemoveOptionsSchema = exactSchema<ContainerRemoveOptions>()(strictObject({
  force: z.boolean().optional(),
  volumes: z.boolean().optional(),
  signal,
}));

/** Options of `container.attach()` (`docker attach`). */
export interface AttachOptions extends SignalOptions {
  /** Attach the main process's stdin too (it must have been created with `openStdin`). */
  stdin?: boolean;
}

/** Validates {@link AttachOptions}. */
export const AttachOptionsSchema = exactSchema<AttachOptions>()(strictObject({
  stdin: z.boolean().optional(),
  signal,
}));

/** Options of `container.port()` (`docker port`). */
export interface PortOptions extends SignalOptions {
  /** The port's protocol (default `tcp`). The `/udp` of `docker port c 53/udp`. */
  protocol?: 'tcp' | 'udp' | 'sctp';
}

/** Validates {@link PortOptions}. */
export const PortOptionsSchema = exactSchema<PortOptions>()(strictObject({
  protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
  signal,
}));

/** Options of `container.spawn()` (`docker exec` with live streams). */
export interface SpawnOptions extends SignalOptions {
  /** Open a stdin stream. `docker exec -i`. */
  stdin?: boolean;
  /** Allocate a pseudo-TTY. `docker exec -t`. */
  tty?: boolean;
  /** Extra environment (`K=V` strings or a record). `docker exec -e`. */
  env?: Record<string, string> | string[];
  /** Working directory inside the container. `docker exec -w`. */
  workingDir?: string;
  /** User to run as. `docker exec -u`. */
  user?: string;
}

/** Validates {@link SpawnOptions}. */
export const SpawnOptionsSchema = exactSchema<SpawnOptions>()(strictObject({
  stdin: z.boolean().optional(),
  tty: z.boolean().optional(),
  env: envSchema,
  workingDir: z.string().optional(),
  user: z.string().optional(),
  signal,
}));

/** What {@link ExecOptionsSchema} checks: the options of `container.exec()`. */
export interface ExecCheckedOptions extends SignalOptions {
  /** Extra environment (`K=V` strings or a record). `docker exec -e`. */
  env?: Record<string, string> | string[];
  /** Working directory inside the container. `docker exec -w`. */
  workingDir?: string;
  /** User to run as. `docker exec -u`. */
  user?: string;
  /** Data for the process's standard input (then closed). `docker exec -i`. */
  stdin?: string | Uint8Array | Readable;
  /** Cap on collected output per stream, in bytes. */
  maxBuffer?: number;
  /** `utf8` gives strings, `buffer` gives Buffers. */
  encoding?: 'utf8' | 'buffer';
}

/** Validates the options of `container.exec()`. */
export const ExecOptionsSchema = exactSchema<ExecCheckedOptions>()(strictObject({
  env: envSchema,
  workingDir: z.string().optional(),
  user: z.string().optional(),
  stdin: z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array'), z.custom<Readable>((v) => v instanceof Readable, 'expected a Readable')]).optional(),
  maxBuffer: z.number().int().positive().optional(),
  encoding: z.enum(['utf8', 'buffer']).optional(),
  signal,
}));

/** Options of `image.remove()` (`docker rmi`). */
export interface ImageRemoveOptions extends SignalOptions {
  /** Remove even when containers use the image or it has several tags. `-f` / `--force`. */
  force?: boolean;
}

/** Validates {@link ImageRemoveOptions}, and the `force` of `volume.remove()` too. */
export const ImageRemoveOptionsSchema = exactSchema<ImageRemoveOptions>()(strictObject({
  force: z.boolean().optional(),
  signal,
}));

/** Options of `volume.remove()` (`docker volume rm`). */
export interface VolumeRemoveOptions extends SignalOptions {
  /** Remove even while a container uses it. `-f` / `--force`. */
  force?: boolean;
}

/** Validates {@link VolumeRemoveOptions}. */
export const VolumeRemoveOptionsSchema: z.ZodType<VolumeRemoveOptions> = ImageRemoveOptionsSchema;

/** Options of `image.push()` (`docker push`). */
export interface PushOptions extends SignalOptions {
  /** Push under this reference (the image is tagged with it first); default: the image's own. */
  ref?: string;
  /** Progress reports (per layer). */
  onProgress?: ProgressCallback;
}

/** Validates {@link PushOptions} (the reference's own check is `parseImageRef`'s). */
export const PushOptionsSchema = exactSchema<PushOptions>()(strictObject({
  ref: z.string().optional(),
  onProgress: ProgressCallbackSchema.optional(),
  signal,
}));

/** Options of `image.save()` (`docker save`). */
export interface SaveOptions extends SignalOptions {
  /** `docker` (default) or `oci` layout; both load with `docker load`. */
  format?: 'docker' | 'oci';
}

/** Validates {@link SaveOptions}. */
export const SaveOptionsSchema = exactSchema<SaveOptions>()(strictObject({
  format: z.enum(['docker', 'oci']).optional(),
  signal,
}));

/** Options of `network.connect()` (`docker network connect`). */
export interface NetworkConnectOptions extends SignalOptions {
  /** Extra names the container answers to on this network. `--alias`. */
  aliases?: string[];
}

/** Validates {@link NetworkConnectOptions}. */
export const NetworkConnectOptionsSchema = exactSchema<NetworkConnectOptions>()(strictObject({
  aliases: z.array(z.string().min(1)).optional(),
  signal,
}));

/** Options of `network.disconnect()` (`docker network disconnect`). */
export interface NetworkDisconnectOptions extends SignalOptions {
  /** Disconnect even when the container is not running. `-f` / `--force`. */
  force?: boolean;
}

/** Validates {@link NetworkDisconnectOptions}. */
export const NetworkDisconnectOptionsSchema = exactSchema<NetworkDisconnectOptions>()(strictObject({
  force: z.boolean().optional(),
  signal,
}));
