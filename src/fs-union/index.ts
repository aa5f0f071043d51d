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
export * from './content-store.js';
export * from './entry.js';
export * from './layer.js';
export * from './layer-builder.js';
export * from './tar-reader.js';
export * from './tar-writer.js';
export * from './union-fs.js';
export type { Change } from './union-changes.js';
export type { ExtractOptions } from './union-archive.js';
export * from './archive/index.js';
