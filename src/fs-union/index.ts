/**
 * The union-filesystem layering core shared by every backend: layers, whiteouts, the union
 * view, diff and commit, digests, host-directory apply/diff and image archives.
 *
 * @module
 */
export * from './errors.js';
export * from './paths.js';
export * from './whiteouts.js';
export type * from './fs-api.js';
export * from './digest.js';
export * from './host/index.js';
export * from './compression.js';
