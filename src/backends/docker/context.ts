/**
 * What the parts of the Docker backend share: the client and the little state the Engine API
 * does not keep for us.
 *
 * @module
 */
import type { EngineRegistryAuth } from './images/registry-auth.js';
import type { DockerClient } from './transport/index.js';

/** Shared state of one Docker backend instance. */
export interface DockerBackendContext {
  /** The engine client (two pools; see transport/client.ts). */
  readonly client: DockerClient;
  /** IDs of containers this backend created with `autoRemove` (their exit must be caught early). */
  readonly autoRemove: Set<string>;
  /**
   * Exit codes of autoRemove containers, registered before each start: once such a container
   * exits it is gone, so a `wait` posted afterwards would find nothing (as `docker run --rm`
   * does, the wait is posted first).
   */
  readonly exits: Map<string, Promise<{ exitCode: number }>>;
  /** Credentials for the registries pulls and pushes reach (`X-Registry-Auth`). */
  readonly registryAuth: EngineRegistryAuth;
}

/**
 * Encodes a reference for a URL path as the `docker` CLI sends it: image references keep their
 * `/` (the engine's routes take `{name:.*}`), `:` and `@` (legal in a path segment); anything
 * else that is not URL-safe is escaped.
 */
export function seg(ref: string): string {
  return ref
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%3A/gi, ':').replace(/%40/g, '@'))
    .join('/');
}
