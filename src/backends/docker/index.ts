/**
 * The Docker backend (`stowage/docker`): the SDK over a Docker Engine's HTTP API, through
 * undici. `Engine.open({ backend: 'docker', host })` loads this module.
 *
 * @module
 */
import type { DockerBackendOptions } from './backend.js';

export { createDockerBackend, probeDocker } from './backend.js';
export type { DockerBackendOptions } from './backend.js';
export { DOCKER_CAPABILITIES } from './capabilities.js';
export { DockerClient, resolveDockerConnection } from './transport/index.js';
export type { DockerClientOptions, DockerConnectionInfo, DockerConnectionOptions, DockerTlsOptions } from './transport/index.js';

declare module '../../core/open-backend.js' {
  /** `Engine.open({ backend: 'docker', ... })` takes {@link DockerBackendOptions}. */
  interface BackendOptionsByName {
    docker: DockerBackendOptions;
  }
}
