/**
 * The emulator backend (`stowage/emulator`): an in-memory engine that runs containers as
 * TypeScript programs over a union filesystem, with a virtual network whose published ports
 * are real host listeners. Needs nothing: no daemon, no root, any OS.
 *
 * @module
 */
import type { EmulatorOptions } from './backend.js';

export { createEmulatorBackend, emulatorCapabilities, type EmulatorOptions } from './backend.js';
export { emulatorOptionKeys } from './options.js';
export { systemClock, randomIdSource, type EmulatorClock, type IdSource } from './clock.js';
export type { ForkedProcess, Program, ProgramContext, ProgramNet, ProgramExecOptions, ProgramTable } from './program.js';
export { DEFAULT_LOG_BYTES } from './containers/log-buffer.js';
export type { ImageSource, ImageSourceResult } from './images/index.js';
export type { EmulatorRegistryOptions } from './images/registry-access.js';

declare module '../../core/open-backend.js' {
  // Registers the emulator's options with Engine.open() (the interface's TSDoc lives in core).
  interface BackendOptionsByName {
    /** `Engine.open({ backend: 'emulator', ... })` takes {@link EmulatorOptions}. */
    emulator: EmulatorOptions;
  }
}
