/**
 * Docker-style string specs (ports, volumes, volumes-from, links, env, labels), parsed into
 * typed objects with Docker's own error texts.
 *
 * @module
 */
export * from './ports.js';
export * from './volumes.js';
export * from './links.js';
export * from './env.js';
export { invalidSpec } from './invalid.js';
