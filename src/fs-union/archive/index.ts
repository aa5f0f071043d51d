/**
 * Image archives at the blob level: docker-archive and OCI image layout, read and written,
 * loadable by a real `docker load`.
 *
 * @module
 */
export { writeImageArchive, MEDIA_TYPES } from './write.js';
export { readImageArchive } from './read.js';
export { familiarRepoTag, fullRepoTag, splitRepoTag, type RepoTagParts } from './refs.js';
export type {
  ArchiveImage,
  ArchiveImageInfo,
  ArchiveLayerInfo,
  ArchiveLayerSource,
  ImageArchiveContents,
  ImageArchiveFormat,
  ReadImageArchiveOptions,
  WriteImageArchiveOptions,
} from './types.js';
