/**
 * Schemas and types of volumes.
 *
 * @module
 */
import { z } from 'zod';

/** What `volumes.create()` accepts. */
export const VolumeSpecSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'volume name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+').optional(),
  labels: z.record(z.string(), z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
/** What `volumes.create()` accepts. */
export type VolumeSpec = z.input<typeof VolumeSpecSchema>;

/** What `volume.inspect()` returns on every backend. */
export const VolumeInfoSchema = z.object({
  name: z.string(),
  driver: z.literal('local'),
  mountpoint: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  created: z.date(),
  anonymous: z.boolean(),
});
/** What `volume.inspect()` returns on every backend. */
export type VolumeInfo = z.infer<typeof VolumeInfoSchema>;
