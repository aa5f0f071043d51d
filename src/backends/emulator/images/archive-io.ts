/**
 * `docker save` and `docker load` for the emulator, over the blob-level archive codec of
 * fs-union (docker-archive and OCI layout).
 *
 * A save writes each image's exact config bytes and its layers' `toTar()` streams, so IDs and
 * diffIDs survive the round trip and a real `docker load` accepts the file. A load keeps the
 * archive's config bytes (and so its image ID) when every layer re-serialises to the bytes the
 * config names; a foreign layer that does not (a tar written by another tool, with a different
 * entry order or headers) is normalised and the config re-written with the new diffIDs, which
 * gives the image a new ID (reported in the result).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { CallOptions } from '../../../core/backend.js';
import { InvalidArgumentError, throwIfAborted } from '../../../core/errors.js';
import { classifyImageLookup } from '../../../core/image-ref.js';
import { readImageArchive, writeImageArchive, type ArchiveImage } from '../../../fs-union/archive/index.js';
import { Layer } from '../../../fs-union/layer.js';
import { decodeImageConfig, encodeImageConfig } from './image-config.js';
import type { ImageRecord } from './image-index.js';
import type { StoreCore } from './store-core.js';

/**
 * An archive of the images `refs` name. A reference contributes its tag to the archive; an ID
 * contributes the image untagged (as `docker save <id>` does).
 *
 * @throws NotFoundError for a reference that names nothing
 */
export async function saveImages(core: StoreCore, refs: string[], options: CallOptions & { format: 'docker' | 'oci' }): Promise<Readable> {
  throwIfAborted(options.signal);
  const byId = new Map<string, { record: ImageRecord; tags: string[] }>();
  for (const ref of refs) {
    const record = core.index.resolve(ref);
    const entry = byId.get(record.image.id) ?? { record, tags: [] };
    byId.set(record.image.id, entry);
    if (!core.index.isIdReference(ref, record)) {
      const familiar = classifyImageLookup(ref).ref?.familiar;
      if (familiar !== undefined && !entry.tags.includes(familiar)) entry.tags.push(familiar);
    }
  }
  // Knowing each tar's length lets the writer stream layers straight into the archive instead
  // of spooling them to disk; counting a deterministic tar in memory is cheaper than that.
  const tarSizes = new Map<Layer, number>();
  for (const { record } of byId.values()) {
    for (const layer of record.image.layers) {
      if (!tarSizes.has(layer)) tarSizes.set(layer, await tarSize(layer, options.signal));
    }
  }
  const images: ArchiveImage[] = [...byId.values()].map(({ record, tags }) => ({
    config: record.image.configBytes,
    repoTags: tags,
    layers: record.image.layers.map((layer) => ({
      diffId: layer.diffId,
      size: tarSizes.get(layer)!,
      open: () => layer.toTar(options.signal ? { signal: options.signal } : {}),
    })),
  }));
  return writeImageArchive(images, { format: options.format, ...(options.signal ? { signal: options.signal } : {}) });
}

const knownSizes = new WeakMap<Layer, number>();

/** The byte length of a layer's `toTar()`, measured once per layer object. */
async function tarSize(layer: Layer, signal: AbortSignal | undefined): Promise<number> {
  const known = knownSizes.get(layer);
  if (known !== undefined) return known;
  let size = 0;
  for await (const chunk of layer.toTar(signal ? { signal } : {})) size += (chunk as Buffer).length;
  knownSizes.set(layer, size);
  return size;
}

/** One image a load registered. */
export interface LoadedImageInfo {
  /** The registered image. */
  record: ImageRecord;
  /** Tags it received. */
  repoTags: string[];
}

/**
 * Reads an archive and registers its images (tags move to them, as `docker load` does).
 *
 * @throws InvalidArgumentError for a malformed archive or one whose layers do not match
 */
export async function loadArchiveRecords(core: StoreCore, tar: Readable, signal?: AbortSignal): Promise<LoadedImageInfo[]> {
  throwIfAborted(signal);
  const signalOpts = signal ? { signal } : {};
  const archive = await readImageArchive(tar, signalOpts);
  try {
    const out: LoadedImageInfo[] = [];
    for (const image of archive.images) {
      const named = decodeImageConfig(image.config).diffIds;
      if (named.length !== image.layers.length || named.some((d, i) => d !== image.layers[i]!.diffId)) {
        throw new InvalidArgumentError(`image ${image.id}: its config's rootfs does not match its layers`);
      }
      const layers: Layer[] = [];
      let canonical = true;
      for (const blob of image.layers) {
        const layer = await Layer.fromTar(blob.open(), signalOpts);
        if (layer.diffId !== blob.diffId) {
          throw new InvalidArgumentError(`layer ${blob.diffId} of image ${image.id} does not match its digest (${layer.diffId})`);
        }
        const again = await layer.canonicalDiffId(signalOpts);
        if (again === layer.diffId) layers.push(layer);
        else {
          canonical = false;
          layers.push(await Layer.fromTar(layer.toTar(signalOpts), signalOpts));
        }
      }
      let record: ImageRecord;
      if (canonical) record = core.registerBytes(image.config, layers);
      else {
        const meta = decodeImageConfig(image.config);
        const bytes = encodeImageConfig({
          config: meta.config, created: meta.created, author: meta.author, comment: meta.comment,
          diffIds: layers.map((l) => l.diffId), history: meta.history, architecture: meta.architecture, os: meta.os,
        });
        record = core.registerBytes(bytes, layers);
      }
      const repoTags: string[] = [];
      for (const tag of image.repoTags) {
        repoTags.push(core.tag(tag, record.image.id));
      }
      core.emit('load', record.image.id);
      out.push({ record, repoTags });
    }
    return out;
  } finally {
    await archive.dispose();
  }
}

/** `docker load`: the IDs and tags of the loaded images. */
export async function loadImages(core: StoreCore, tar: Readable, options: CallOptions = {}): Promise<{ id: string; repoTags: string[] }[]> {
  const loaded = await loadArchiveRecords(core, tar, options.signal);
  return loaded.map((l) => ({ id: l.record.image.id, repoTags: l.repoTags }));
}
