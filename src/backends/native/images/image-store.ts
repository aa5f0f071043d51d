/**
 * The native image store: verified blobs, extracted layers and the image table together.
 * Adding an image stores and extracts its layers first (outside the engine lock: that is the
 * slow part, and layers have their own locks), then its config blob, then registers the image
 * and its tags under the engine lock. A crash in between leaves blobs or layers that no image
 * names (harmless; collected later), never an image whose parts are missing.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../../core/errors.js';
import type { HistoryEntry, ImageInfo, ImageRemoveResult, ImageSummary } from '../../../core/schemas/image.js';
import { decodeImageConfig, type ParsedImageConfig } from './image-config.js';
import { BlobStore } from './blob-store.js';
import { requireImage, tagsOf, ImageCatalog, type CatalogDraft, type CatalogSnapshot, type ImageRecord } from './image-catalog.js';
import { removeFromCatalog, type ImageUser } from './image-remove.js';
import { chainIds, LayerStore, type LayerRecord } from './layer-store.js';
import type { NativePaths } from '../paths.js';
import { parseImageRef } from '../../../core/image-ref.js';

/** A layer to add: its diffID and a way to read its uncompressed tar. */
export interface LayerInput {
  /** `sha256:` of the uncompressed tar. */
  diffId: string;
  /** Opens the tar; called only when the store lacks the blob. */
  open(): Readable | Promise<Readable>;
  /** The tar as a file on the store's filesystem, already verified against `diffId`: renamed into the store instead of copied. */
  file?: string;
}

/** What {@link ImageStore.add} takes. */
export interface AddImageInput {
  /** The exact config bytes. */
  configBytes: Buffer;
  /** Layers, bottom first (their diffIDs are the config's). */
  layers: LayerInput[];
  /** Familiar tags to point at the image (moved from other images). */
  tags?: string[];
  /** The local image it was made from. */
  parentId?: string;
  /** Digests it was pulled by. */
  repoDigests?: string[];
}

/** An image with everything read about it. */
export interface ResolvedImage {
  /** Its record. */
  record: ImageRecord;
  /** Its parsed config. */
  config: ParsedImageConfig;
  /** Its layers, bottom first. */
  layers: LayerRecord[];
}

/** Runs a function under the engine lock (provided by the engine). */
export type LockRunner = <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** The image store of one state root. */
export class ImageStore {
  /** Blobs. */
  readonly blobs: BlobStore;
  /** Layers. */
  readonly layers: LayerStore;
  /** The image table. */
  readonly catalog: ImageCatalog;
  readonly #locked: LockRunner;
  readonly #configs = new Map<string, ParsedImageConfig>();

  constructor(paths: NativePaths, locked: LockRunner) {
    this.blobs = new BlobStore(paths);
    this.layers = new LayerStore(paths);
    this.catalog = new ImageCatalog(paths);
    this.#locked = locked;
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await this.blobs.init();
    await this.layers.init();
    await this.catalog.init();
  }

  /** Stores a layer's blob (when missing) and extracts it on top of `parent`. */
  async addLayer(parent: string | undefined, layer: LayerInput, signal?: AbortSignal): Promise<LayerRecord> {
    let size = await this.blobs.size(layer.diffId);
    if (size === undefined && layer.file !== undefined) size = (await this.blobs.adoptFile(layer.file, layer.diffId).catch(() => undefined))?.size;
    if (size === undefined) size = (await this.blobs.putStream(await layer.open(), { expected: layer.diffId, ...(signal ? { signal } : {}) })).size;
    return this.layers.ensure(parent, layer.diffId, size, () => this.blobs.open(layer.diffId), signal);
  }

  /** Adds an image; resolves with its ID. */
  async add(input: AddImageInput, signal?: AbortSignal): Promise<string> {
    const parsed = decodeImageConfig(input.configBytes);
    let parent: string | undefined;
    for (const layer of input.layers) parent = (await this.addLayer(parent, layer, signal)).chainId;
    const { digest: id } = await this.blobs.putBytes(input.configBytes);
    this.#configs.set(id, parsed);
    await this.#locked(() => this.catalog.update((draft) => {
      if (!draft.records.has(id)) {
        draft.records.set(id, {
          id,
          ...(input.parentId ? { parentId: input.parentId } : {}),
          repoDigests: input.repoDigests ?? [],
          added: new Date().toISOString(),
        });
      } else if (input.repoDigests?.length) {
        const old = draft.records.get(id)!;
        draft.records.set(id, { ...old, repoDigests: [...new Set([...old.repoDigests, ...input.repoDigests])] });
      }
      for (const tag of input.tags ?? []) {
        draft.tags.delete(tag);
        draft.tags.set(tag, id);
      }
    }), signal);
    return id;
  }

  /** The parsed config of a stored image (cached: configs never change). */
  async config(id: string): Promise<ParsedImageConfig> {
    let parsed = this.#configs.get(id);
    if (!parsed) {
      parsed = decodeImageConfig(await this.blobs.readBytes(id));
      this.#configs.set(id, parsed);
    }
    return parsed;
  }

  /** Finds an image by reference or ID with its config and layers. @throws NotFoundError */
  async resolve(ref: string): Promise<ResolvedImage> {
    const record = requireImage(await this.catalog.snapshot(), ref);
    return this.#resolved(record);
  }

  async #resolved(record: ImageRecord): Promise<ResolvedImage> {
    const config = await this.config(record.id);
    const layers = await this.layers.stack(config.diffIds);
    if (!layers) throw new NotFoundError(`layers of image ${record.id} are missing from the store`, { details: { image: record.id } });
    return { record, config, layers };
  }

  /** `docker images`. */
  async list(): Promise<ImageSummary[]> {
    const snapshot = await this.catalog.snapshot();
    const out: ImageSummary[] = [];
    for (const record of snapshot.records.values()) {
      const config = await this.config(record.id).catch(() => undefined);
      if (!config) continue;
      out.push({ id: record.id, repoTags: tagsOf(snapshot, record.id), created: config.created, size: await this.#size(config) });
    }
    return out.sort((a, b) => b.created.getTime() - a.created.getTime());
  }

  async #size(config: ParsedImageConfig): Promise<number> {
    let total = 0;
    for (const diffId of config.diffIds) total += (await this.blobs.size(diffId)) ?? 0;
    return total;
  }

  /** `docker image inspect`. */
  async inspect(ref: string): Promise<ImageInfo> {
    const snapshot = await this.catalog.snapshot();
    const record = requireImage(snapshot, ref);
    const c = await this.config(record.id);
    const { onBuild: _onBuild, healthcheck: _healthcheck, stopSignal, ...runnable } = c.config;
    return {
      id: record.id,
      repoTags: tagsOf(snapshot, record.id),
      created: c.created,
      author: c.author,
      comment: c.comment,
      architecture: c.architecture,
      os: c.os,
      config: { ...runnable, stopSignal: stopSignal ?? '' },
      rootfs: { diffIds: c.diffIds },
      size: await this.#size(c),
    };
  }

  /** `docker history`, newest first: a step is named by the local image it produced, if any. */
  async history(ref: string): Promise<HistoryEntry[]> {
    const snapshot = await this.catalog.snapshot();
    const record = requireImage(snapshot, ref);
    const c = await this.config(record.id);
    const ids: string[] = c.history.map(() => '<missing>');
    let current: ImageRecord | undefined = record;
    while (current) {
      const steps = (await this.config(current.id)).history.length;
      if (steps > 0 && steps <= ids.length) ids[steps - 1] = current.id;
      current = current.parentId ? snapshot.records.get(current.parentId) : undefined;
    }
    let layer = 0;
    const rows: HistoryEntry[] = [];
    for (const [i, step] of c.history.entries()) {
      const size = step.emptyLayer ? 0 : (await this.blobs.size(c.diffIds[layer++] ?? '')) ?? 0;
      rows.push({ id: ids[i]!, created: step.created, createdBy: step.createdBy, size, comment: step.comment, emptyLayer: step.emptyLayer });
    }
    return rows.reverse();
  }

  /** `docker tag`. @throws NotFoundError for a missing source */
  async tag(ref: string, newRef: string, signal?: AbortSignal): Promise<void> {
    const tag = parseImageRef(newRef, 'newRef').familiar;
    await this.#locked(() => this.catalog.update((draft) => {
      const record = requireImage(draft, ref);
      draft.tags.delete(tag);
      draft.tags.set(tag, record.id);
    }), signal);
  }

  /**
   * `docker rmi`. `userOf` says which container uses an image (called under the engine
   * lock, so no container can start using it meanwhile); `layersInUse` the chainIDs containers
   * stand on, which are kept; `beforeLocked` runs first inside the lock (to read the usage).
   */
  async remove(
    ref: string,
    force: boolean,
    userOf: (id: string) => ImageUser,
    layersInUse: () => Promise<Set<string>>,
    signal?: AbortSignal,
    beforeLocked?: () => Promise<void>,
  ): Promise<ImageRemoveResult> {
    return this.#locked(async () => {
      await beforeLocked?.();
      const result = await this.catalog.update((draft) => removeFromCatalog(draft, ref, force, userOf));
      if (result.deleted.length > 0) await this.#collectLayers(await this.catalog.snapshot(), await layersInUse());
      return result;
    }, signal);
  }

  /** Deletes layers that no image and no container stands on (under the engine lock). */
  async #collectLayers(snapshot: CatalogSnapshot | CatalogDraft, inUse: Set<string>): Promise<void> {
    const keep = new Set(inUse);
    for (const record of snapshot.records.values()) {
      const config = await this.config(record.id).catch(() => undefined);
      for (const chain of chainIds(config?.diffIds ?? [])) keep.add(chain);
    }
    const layers = await this.layers.list();
    const gone = layers.filter((layer) => !keep.has(layer.chainId));
    for (const layer of gone) await this.layers.remove(layer.chainId);
    // A blob is the tar of a diffID; another layer (the same diffID on another parent) may
    // still need it.
    const named = new Set(layers.filter((layer) => keep.has(layer.chainId)).map((layer) => layer.diffId));
    for (const layer of gone) if (!named.has(layer.diffId)) await this.blobs.remove(layer.diffId);
  }
}
