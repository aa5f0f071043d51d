/**
 * The Docker backend: the SDK mapped onto the Engine API.
 *
 * @module
 */
import type { Backend } from '../../core/backend.js';
import { DOCKER_CAPABILITIES } from './capabilities.js';
import { createDockerContainerBackend } from './containers/container-backend.js';
import type { DockerBackendContext } from './context.js';
import { subscribeDockerEvents } from './events.js';
import { createDockerImageBackend } from './images/image-backend.js';
import { EngineRegistryAuth, type DockerRegistryOptions } from './images/registry-auth.js';
import { createDockerNetworkBackend } from './networks.js';
import { DockerClient } from './transport/index.js';
import type { DockerClientOptions } from './transport/index.js';
import { createDockerVolumeBackend } from './volumes.js';
import { checkDockerOptions } from './options.js';

/**
 * Options of the Docker backend: where the engine is (`host`, `tls`; default `DOCKER_HOST`,
 * the current docker context, then `/var/run/docker.sock`), connection tuning, and the
 * credentials sent to the engine for pulls and pushes.
 */
export interface DockerBackendOptions extends DockerClientOptions {
  /** Use this client instead of creating one (the backend then does not close it). */
  client?: DockerClient;
  /**
   * Registry credentials for pull and push (default: the Docker CLI's `config.json` `auths`,
   * as `docker login` wrote them).
   */
  registry?: DockerRegistryOptions;
}

/**
 * Creates a Docker backend. No request is made until the first call.
 *
 * @example
 * ```ts
 * import { Engine } from 'stowage';
 * import { createDockerBackend } from 'stowage/docker';
 * const engine = new Engine(createDockerBackend({ host: 'unix:///var/run/docker.sock' }));
 * ```
 */
export function createDockerBackend(options: DockerBackendOptions = {}): Backend {
  checkDockerOptions(options);
  const { client: given, registry, ...clientOptions } = options;
  const client = given ?? new DockerClient(clientOptions);
  const ctx: DockerBackendContext = { client, autoRemove: new Set(), exits: new Map(), registryAuth: new EngineRegistryAuth(registry) };
  return {
    name: 'docker',
    capabilities: DOCKER_CAPABILITIES,
    containers: createDockerContainerBackend(ctx),
    images: createDockerImageBackend(ctx),
    volumes: createDockerVolumeBackend(ctx),
    networks: createDockerNetworkBackend(ctx),
    subscribeEvents: (listener, onError) => subscribeDockerEvents(ctx, listener, onError),
    async close() {
      ctx.exits.clear();
      ctx.autoRemove.clear();
      if (!given) await client.close();
    },
  };
}

/**
 * Tells whether a Docker Engine answers `GET /_ping` within `timeoutMs` (default 2 s).
 * Never throws: a bad configuration is just "no engine here".
 *
 * @example
 * ```ts
 * if (await probeDocker()) console.log('docker is here');
 * ```
 */
export async function probeDocker(options: DockerClientOptions & { timeoutMs?: number } = {}): Promise<boolean> {
  const { timeoutMs = 2_000, ...clientOptions } = options;
  let client: DockerClient | undefined;
  try {
    client = new DockerClient(clientOptions);
    await client.ping(AbortSignal.timeout(timeoutMs));
    return true;
  } catch {
    return false;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
