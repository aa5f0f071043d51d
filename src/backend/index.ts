/**
 * `stowage/backend`: what a backend implementer needs. The {@link Backend} interface and the
 * requests and results it exchanges with core, the {@link BackendCapabilities} record, and the
 * zod schemas every backend's output is checked against (with the data types they validate).
 * Users of the SDK need none of this: `stowage` is their API.
 *
 * @example
 * ```ts
 * import { Engine } from 'stowage';
 * import type { Backend } from 'stowage/backend';
 * function createMyBackend(): Backend { ... }
 * await using engine = new Engine(createMyBackend());
 * ```
 *
 * @module
 */
export type * from '../core/backend.js';
export * from '../core/schemas/index.js';
