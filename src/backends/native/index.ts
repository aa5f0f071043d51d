/**
 * The native backend: real Linux containers without a daemon (namespaces, overlayfs, runc).
 *
 * Not implemented in this release: this entry point reports what the host offers, and
 * `createNativeBackend` fails with `UnsupportedError` so that `Engine.open({ backend: 'auto' })`
 * falls back to the emulator. The layering it will stand on (host-directory apply/diff in
 * overlay format) is in `stowage/fs-union`.
 *
 * @module
 */
import type { Backend } from '../../core/backend.js';
import { UnsupportedError } from '../../core/errors.js';
import { missingNativePrerequisites } from './prerequisites.js';
import { z } from 'zod';
import { backendOptions } from '../../core/schemas/backend-options.js';
import { strictObject } from '../../core/schemas/strict.js';

export { missingNativePrerequisites, type MissingPrerequisite } from './prerequisites.js';

/** Options of the native backend. */
export interface NativeBackendOptions {
  /** State directory (default `/var/lib/stowage`). */
  root?: string;
}

const nativeOptions = backendOptions<NativeBackendOptions>()(strictObject({ root: z.string().min(1).optional() }));

/** The option names `createNativeBackend` takes; `Engine.open({ backend: 'auto' })` hands native only these. */
export const nativeOptionKeys: readonly (keyof NativeBackendOptions)[] = nativeOptions.keys;

// `Engine.open({ backend: 'native', ... })` takes NativeBackendOptions.
declare module '../../core/open-backend.js' {
  interface BackendOptionsByName {
    /** Options of `Engine.open({ backend: 'native' })`, passed to `createNativeBackend()`. */
    native: NativeBackendOptions;
  }
}

/**
 * Creates the native backend. Not implemented in this release: always rejects with
 * UnsupportedError, naming any host prerequisite that is missing as well.
 */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<Backend> {
  nativeOptions.check(options);
  const missing = await missingNativePrerequisites();
  throw new UnsupportedError('the native backend is not implemented in this release of Stowage', {
    details: { root: options.root ?? '/var/lib/stowage', missing: missing.map((m) => m.message) },
  });
}

/**
 * Whether the native backend can run here. False in this release, since it is not
 * implemented; `Engine.open({ backend: 'auto' })` then goes on to the emulator.
 */
export async function probeNative(_options: NativeBackendOptions = {}): Promise<boolean> {
  return false;
}
