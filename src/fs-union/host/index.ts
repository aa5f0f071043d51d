/**
 * Host directories for the native backend: apply a layer tar into a directory (overlay diff
 * dir or plain rootfs) and turn an overlay upper directory back into a layer tar.
 *
 * @module
 */
export { applyLayerToDirectory, type ApplyLayerOptions } from './apply.js';
export { diffDirectoryToLayerTar, type DiffDirectoryOptions } from './diff.js';
