/**
 * Checking the native backend's options (`createNativeBackend`, `Engine.open({ backend:
 * 'native' })`) at the edge: an unknown key or a value of the wrong type is an
 * InvalidArgumentError naming it, before any state root is touched.
 *
 * @module
 */
import { z } from 'zod';
import { backendOptions } from '../../core/schemas/backend-options.js';
import { strictObject } from '../../core/schemas/strict.js';
import type { NativeBackendOptions } from './backend.js';

const nativeOptions = backendOptions<NativeBackendOptions>()(strictObject({
  root: z.string().min(1).optional(),
  runRoot: z.string().min(1).optional(),
  supervisorIdleMs: z.number().int().min(0).optional(),
  resolveUser: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a user resolver function').optional(),
  network: strictObject({
    defaultSubnet: z.string().min(1).optional(),
    subnetPool: z.string().min(1).optional(),
    poolPrefix: z.number().int().min(1).max(32).optional(),
    cniPath: z.string().min(1).optional(),
  }).optional(),
}));

/** The option names `createNativeBackend` takes; `Engine.open({ backend: 'auto' })` hands native only these. */
export const nativeOptionKeys: readonly (keyof NativeBackendOptions)[] = nativeOptions.keys;

/** Validates the native backend's options (InvalidArgumentError naming the bad field). */
export function checkNativeOptions(options: unknown): void {
  nativeOptions.check(options);
}
