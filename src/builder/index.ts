/**
 * The Dockerfile builder shared by the emulator and native backends. It imports core and
 * fs-union only; a backend gives it a {@link BuildHost} (images, layers, step containers, the
 * cache index) and calls {@link buildDockerfile}.
 *
 * @module
 */
export * from './host.js';
export { buildDockerfile } from './builder.js';
export type { DockerfileBuildRequest, DockerfileBuildResult } from './builder.js';
export type { BuildOptions } from './session.js';
export { loadBuildContext } from './context.js';
export type { BuildContext } from './context.js';
