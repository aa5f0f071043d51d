/**
 * What the Docker backend can do.
 *
 * @module
 */
import type { BackendCapabilities } from '../../core/backend.js';

/**
 * The Docker backend's capabilities. The Engine API cannot signal an exec'd process (no
 * `execKill`), and Engine 20.10's `/build` is the classic builder, which has neither heredocs
 * nor `RUN --mount`.
 */
export const DOCKER_CAPABILITIES: Readonly<BackendCapabilities> = Object.freeze({
  tty: true,
  execKill: false,
  pause: true,
  networks: true,
  links: true,
  publishPorts: true,
  build: true,
  buildHeredocs: false,
  buildMounts: false,
  push: true,
  events: true,
  detached: true,
});
