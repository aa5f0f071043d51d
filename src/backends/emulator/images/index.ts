/**
 * The image part of the emulator backend: the image store containers are created from, its
 * `ImageBackend`, and the built-in catalogue (`busybox`, `alpine`, `centos:7`, `debian`,
 * `ubuntu`, `nginx`).
 *
 * @module
 */
export { EmulatorImageStore, type AddImageSpec } from './store.js';
export type { EmulatorImage } from './image-index.js';
export type {
  EmulatorImageStoreOptions,
  ImageSource,
  ImageSourceResult,
  ImageUserInfo,
} from './store-core.js';
export { builtinCatalogue, type CatalogueImageSpec } from './catalogue.js';
export { emptyImageConfig, encodeImageConfig, decodeImageConfig } from './image-config.js';
export type { ImageConfigSpec, ImageHistorySpec, ParsedImageConfigInfo } from './image-config.js';
