/**
 * Every schema and data type of the public API.
 *
 * @module
 */
export * from './validate.js';
export { strictObject } from './strict.js';
export * from './container.js';
export * from './container-info.js';
export * from './container-options.js';
export * from './method-options.js';
export * from './image.js';
export * from './volume.js';
export * from './network.js';
export * from './events.js';
// Data types defined next to the code that produces them, published here with the rest:
// the health state a status line shows, and what parseDockerfile() returns.
export type { HealthStatus } from '../human-duration.js';
export type { Dockerfile, DockerfileDirectives, DockerfileWarning, Heredoc, Instruction, Stage } from '../dockerfile/types.js';
