/**
 * Every schema and data type of the public API.
 *
 * @module
 */
export * from './validate.js';
export * from './container.js';
export * from './container-info.js';
export * from './container-options.js';
export * from './image.js';
export * from './volume.js';
export * from './network.js';
export * from './events.js';
