/**
 * The native backend: real Linux containers without a daemon, on namespaces, overlayfs and
 * runc. A state root (images, layers, containers, volumes) and a runtime root; one supervisor
 * process per root, started on demand, runs the containers and outlives the SDK process.
 * See README.md beside this file for the design.
 *
 * @module
 */
import type { NativeBackendOptions } from './backend.js';
import { missingNetworkParts } from './network/index.js';
import { missingNativePrerequisites } from './prerequisites.js';

export { createNativeBackend, type NativeBackendOptions } from './backend.js';
export { nativeOptionKeys } from './options.js';
export { missingNativePrerequisites, type MissingPrerequisite } from './prerequisites.js';
export type { NativeNetworkSettings, UserResolver } from './context.js';
export type { ResolvedUser } from './runtime/bundle.js';

// `Engine.open({ backend: 'native', ... })` takes NativeBackendOptions.
declare module '../../core/open-backend.js' {
  interface BackendOptionsByName {
    /** Options of `Engine.open({ backend: 'native' })`, passed to `createNativeBackend()`. */
    native: NativeBackendOptions;
  }
}

/** Whether the native backend can run here (Linux, root, runc, overlayfs, iproute2, iptables, the CNI plugins). */
export async function probeNative(options: NativeBackendOptions = {}): Promise<boolean> {
  return (await missingNativePrerequisites()).length === 0 && (await missingNetworkParts(options.network?.cniPath)).length === 0;
}

