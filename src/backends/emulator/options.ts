/**
 * Checking the emulator's options (`createEmulatorBackend`, `Engine.open({ backend: 'emulator' })`)
 * at the edge, like every other input: an unknown key or a value of the wrong type is an
 * InvalidArgumentError naming it, instead of a TypeError on first use.
 *
 * @module
 */
import { z } from 'zod';
import { backendOptions } from '../../core/schemas/backend-options.js';
import { strictObject } from '../../core/schemas/strict.js';
import type { EmulatorOptions } from './backend.js';

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', `expected ${what}`);

const emulatorOptions = backendOptions<EmulatorOptions>()(strictObject({
  programs: z.record(z.string(), fn('a program (a function)')).optional(),
  clock: z.object({ now: fn('a now() function'), sleep: fn('a sleep() function').optional() }).optional(),
  portRange: z.tuple([z.number().int().min(1).max(65535), z.number().int().min(1).max(65535)])
    .refine(([low, high]) => low <= high, 'the first port must not be above the second').optional(),
  idSource: fn('a function returning 64 hex characters').optional(),
  logBytes: z.number().int().positive().optional(),
  pidsLimit: z.number().int().optional(),
  imageSources: fn('an image source function').optional(),
  registry: strictObject({
    mirror: z.string().min(1).optional(),
    insecure: z.array(z.string()).optional(),
    credentials: z.record(z.string(), strictObject({ username: z.string(), password: z.string() })).optional(),
    dockerConfig: z.union([z.string(), z.literal(false)]).optional(),
    concurrency: z.number().int().positive().optional(),
    chunkSize: z.number().int().positive().optional(),
    platform: z.string().min(1).optional(),
  }).optional(),
}));

/** The option names `createEmulatorBackend` takes; `Engine.open({ backend: 'auto' })` hands the emulator only these. */
export const emulatorOptionKeys: readonly (keyof EmulatorOptions)[] = emulatorOptions.keys;

/** Validates the emulator's options (InvalidArgumentError naming the bad field). */
export function checkEmulatorOptions(options: unknown): void {
  emulatorOptions.check(options);
}
