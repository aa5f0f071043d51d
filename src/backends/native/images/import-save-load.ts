/**
 * `docker import`, `docker save` and `docker load` on the native store, all through fs-union:
 * compression detection for imports, and its archive reader and writer for save/load (both
 * stream layers; the writer reads stored blobs of known size straight into the archive).
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { applyChanges } from '../../../core/dockerfile/changes.js';
import { classifyImageLookup, parseImageRef } from '../../../core/image-ref.js';
import { decompressStream, readImageArchive, writeImageArchive, type ArchiveImage } from '../../../fs-union/index.js';
import { tagsOf, requireImage } from './image-catalog.js';
import { emptyConfig, encodeImageConfig } from './image-config.js';
import type { ImageStore } from './image-store.js';
import { crashPoint } from '../state/crash-point.js';

/** Options of {@link importRootfs}. */
export interface ImportRootfsOptions {
  /** Reference to tag the image with. */
  ref?: string;
  /** Dockerfile instructions applied to the empty config. */
  changes: string[];
  /** History comment (default `Imported from -`, as Docker says for stdin). */
  message?: string;
  /** Cancels the import; nothing half-made stays. */
  signal?: AbortSignal;
  /** The clock (tests). */
  now?: () => Date;
}

/** Imports a rootfs tar (plain, gzip, bzip2, xz or zstd) as a one-layer image; resolves with its ID. */
export async function importRootfs(store: ImageStore, source: Readable, options: ImportRootfsOptions): Promise<string> {
  const { signal } = options;
  // Refuse a bad reference or change before reading a byte.
  const tag = options.ref !== undefined ? parseImageRef(options.ref, 'ref').familiar : undefined;
  const config = applyChanges(emptyConfig(), options.changes);
  const blob = await store.blobs.putStream(decompressStream(source, signal ? { signal } : {}), signal ? { signal } : {});
  crashPoint('import:after-blob');
  const created = (options.now ?? (() => new Date()))();
  const message = options.message || 'Imported from -';
  const configBytes = encodeImageConfig({
    config,
    created,
    author: '',
    comment: message,
    diffIds: [blob.digest],
    history: [{ created, createdBy: '', comment: message, author: '', emptyLayer: false }],
  });
  return store.add({ configBytes, layers: [{ diffId: blob.digest, open: () => store.blobs.open(blob.digest) }], ...(tag ? { tags: [tag] } : {}) }, signal);
}

/** Options of {@link saveImages}. */
export interface SaveImagesOptions {
  /** Archive format. */
  format: 'docker' | 'oci';
  /** Cancels the writing (the stream fails with AbortError). */
  signal?: AbortSignal;
}

/**
 * `docker save`: an archive of the images `refs` name. An image named by a tag carries that
 * tag; named by ID, it carries none (as Docker does).
 */
export async function saveImages(store: ImageStore, refs: readonly string[], options: SaveImagesOptions): Promise<Readable> {
  const snapshot = await store.catalog.snapshot();
  const byId = new Map<string, ArchiveImage>();
  for (const ref of refs) {
    const record = requireImage(snapshot, ref);
    let image = byId.get(record.id);
    if (!image) {
      const config = await store.config(record.id);
      const layers = [];
      for (const diffId of config.diffIds) {
        const size = await store.blobs.size(diffId);
        const path = store.blobs.path(diffId);
        layers.push({ diffId, ...(size !== undefined ? { size } : {}), open: () => createReadStream(path, { highWaterMark: 1024 * 1024 }) });
      }
      image = { config: await store.blobs.readBytes(record.id), layers, repoTags: [] };
      byId.set(record.id, image);
    }
    const how = classifyImageLookup(ref);
    const tag = how.ref?.familiar;
    if (tag !== undefined && tagsOf(snapshot, record.id).includes(tag) && !image.repoTags.includes(tag)) image.repoTags.push(tag);
  }
  return writeImageArchive([...byId.values()], { format: options.format, ...(options.signal ? { signal: options.signal } : {}) });
}

/** `docker load`: adds every image of an archive (either format, compressed or not). */
export async function loadImages(store: ImageStore, tar: Readable, signal?: AbortSignal): Promise<{ id: string; repoTags: string[] }[]> {
  await using contents = await readImageArchive(tar, { ...(signal ? { signal } : {}), spoolDir: await store.blobs.tempDir() });
  const loaded: { id: string; repoTags: string[] }[] = [];
  for (const image of contents.images) {
    const tags = image.repoTags.map((t) => parseImageRef(t).familiar);
    const id = await store.add({ configBytes: image.config, layers: image.layers.map((l) => ({ diffId: l.diffId, open: () => l.open(), ...(l.file !== undefined ? { file: l.file } : {}) })), tags }, signal);
    loaded.push({ id, repoTags: tags });
  }
  return loaded;
}
