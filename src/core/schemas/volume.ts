/**
 * Schemas and types of volumes.
 *
 * @module
 */
import { z } from 'zod';
import { exactSchema } from './exact.js';
import { strictObject } from './strict.js';
import type { SignalOptions } from './validate.js';

/** What `volumes.create()` accepts (`docker volume create`). */
export interface VolumeSpec extends SignalOptions {
  /** Volume name; absent: an anonymous volume with a generated 64-hex name. The `VOLUME` argument (Docker's `Name`). */
  name?: string;
  /** Labels. `--label` (Docker's `Labels`). */
  labels?: Record<string, string>;
}

/** Validates a {@link VolumeSpec}. */
export const VolumeSpecSchema = exactSchema<VolumeSpec>()(strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'volume name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+').optional(),
  labels: z.record(z.string(), z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** What `volume.inspect()` returns on every backend (`docker volume inspect`). */
export interface VolumeInfo {
  /** Volume name (64 hex characters for an anonymous one). Docker's `Name`. */
  name: string;
  /** Always `local`: the only driver Stowage provides. Docker's `Driver`. */
  driver: 'local';
  /** Where the data lives on the host; absent where the backend keeps it elsewhere (the emulator holds it in memory). Docker's `Mountpoint`. */
  mountpoint?: string;
  /** Labels. Docker's `Labels`. */
  labels: Record<string, string>;
  /** Creation time. Docker's `CreatedAt`. */
  created: Date;
  /** Made for a container without a name (`-v /data`, an image `VOLUME`); removed with the container by `remove({ volumes: true })`. Docker's `com.docker.volume.anonymous` label. */
  anonymous: boolean;
}

/** Validates a {@link VolumeInfo}. */
export const VolumeInfoSchema = exactSchema<VolumeInfo>()(z.object({
  name: z.string(),
  driver: z.literal('local'),
  mountpoint: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  created: z.date(),
  anonymous: z.boolean(),
}));
