/**
 * The Docker backend (`stowage/docker`): the SDK over a Docker Engine's HTTP API, through
 * undici. `Engine.open({ backend: 'docker', host })` loads this module.
 *
 * @module
 */
import type { DockerBackendOptions } from './backend.js';

export { createDockerBackend, probeDocker } from './backend.js';
export { dockerOptionKeys } from './options.js';
export type { DockerBackendOptions } from './backend.js';
export type { DockerRegistryOptions } from './images/registry-auth.js';
export { DOCKER_CAPABILITIES } from './capabilities.js';
export { DockerClient, MAX_API_VERSION, resolveDockerConnection } from './transport/index.js';
export type {
  DockerClientOptions,
  DockerConnectionInfo,
  DockerConnectionOptions,
  DockerConnectionSource,
  DockerQuery,
  DockerQueryValue,
  DockerPingInfo,
  DockerRequestOptions,
  DockerResponse,
  DockerTlsInfo,
  DockerTlsOptions,
  DockerUpgradeOptions,
  DockerUpgradeResult,
  DockerVersionInfo,
} from './transport/index.js';

// `Engine.open({ backend: 'docker', ... })` takes DockerBackendOptions.
declare module '../../core/open-backend.js' {
  interface BackendOptionsByName {
    /** Options of `Engine.open({ backend: 'docker' })`, passed to `createDockerBackend()`. */
    docker: DockerBackendOptions;
  }
}
