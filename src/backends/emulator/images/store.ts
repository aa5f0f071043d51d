/**
 * The emulator's image store: what containers are created from and what commit/import/build
 * add to.
 *
 * @module
 */
import type { ImageBackend } from '../../../core/backend.js';
import type { EngineEvent } from '../../../core/schemas/events.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import type { Layer } from '../../../fs-union/layer.js';
import { EmulatorImageBackend } from './image-backend.js';
import { decodeImageConfig } from './image-config.js';
import type { EmulatorImage } from './image-index.js';
import { StoreCore, type EmulatorImageStoreOptions } from './store-core.js';

/** What {@link EmulatorImageStore.addImage} makes a new image from. */
export interface AddImageSpec {
  /** The image to build on (its layers, history and parent link); none for a base image. */
  parent?: EmulatorImage;
  /** The new layer (ignored when `emptyLayer`). */
  layer: Layer;
  /** The new image's runnable config. */
  config: ImageConfig;
  /** Author (`commit -a`). */
  author?: string;
  /** History comment (`commit -m`, `import -m`). */
  comment?: string;
  /** History `created_by` (a build step's instruction). */
  createdBy?: string;
  /** True for a config-only step: no layer is added. */
  emptyLayer?: boolean;
  /** References to tag the new image with. */
  tags?: string[];
}

/**
 * Images of one emulated engine.
 *
 * @example
 * ```ts
 * const store = new EmulatorImageStore({ clock: () => new Date(), isInUse: () => false });
 * await store.backend.pull('busybox');
 * const image = store.resolve('busybox');   // layers, config, configBytes
 * ```
 */
export class EmulatorImageStore {
  readonly #core: StoreCore;
  /** The {@link ImageBackend} over this store (pull, import, list, inspect, save, load...). */
  readonly backend: ImageBackend;

  /** Creates an empty store; images appear by pull, import, load or {@link addImage}. */
  constructor(options: EmulatorImageStoreOptions) {
    this.#core = new StoreCore(options);
    this.backend = new EmulatorImageBackend(this.#core);
  }

  /** Receives image events (pull, import, tag, untag, delete, load). */
  get onEvent(): ((e: EngineEvent) => void) | undefined {
    return this.#core.onEvent;
  }

  /** Sets (or clears) the image event listener. */
  set onEvent(listener: ((e: EngineEvent) => void) | undefined) {
    this.#core.onEvent = listener;
  }

  /**
   * The image a reference, ID or unique ID prefix names.
   *
   * @throws NotFoundError `No such image: <ref>`; InvalidArgumentError for an ambiguous prefix
   */
  resolve(ref: string): EmulatorImage {
    return this.#core.index.resolve(ref).image;
  }

  /** Like {@link resolve}, but undefined when nothing (or more than one image) matches. */
  find(ref: string): EmulatorImage | undefined {
    const found = this.#core.index.lookup(ref);
    return found.kind === 'found' ? found.record.image : undefined;
  }

  /**
   * Creates an image on top of `parent` (or of nothing) with one more step: the new layer and
   * a history entry. Used by commit, import and build; tags move to the new image.
   *
   * @throws InvalidArgumentError for an invalid tag
   */
  addImage(spec: AddImageSpec): EmulatorImage {
    const core = this.#core;
    // A parent force-removed since the container was created still carries its history.
    const parentHistory = spec.parent
      ? (core.index.get(spec.parent.id)?.meta ?? decodeImageConfig(spec.parent.configBytes)).history
      : [];
    const created = core.now();
    const history = [
      ...parentHistory,
      {
        created,
        createdBy: spec.createdBy ?? '',
        comment: spec.comment ?? '',
        author: spec.author ?? '',
        emptyLayer: spec.emptyLayer === true,
      },
    ];
    const layers = [...(spec.parent?.layers ?? []), ...(spec.emptyLayer ? [] : [spec.layer])];
    const record = core.register({
      layers,
      config: spec.config,
      created,
      history,
      author: spec.author ?? '',
      comment: spec.comment ?? '',
      ...(spec.parent ? { parentId: spec.parent.id } : {}),
    });
    for (const tag of spec.tags ?? []) core.tag(tag, record.image.id);
    return record.image;
  }
}
