/**
 * The emulator's {@link ImageBackend}: the `docker image` commands over a {@link StoreCore}.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { BuildRequest, CallOptions, ImageBackend } from '../../../core/backend.js';
import { UnsupportedError, throwIfAborted } from '../../../core/errors.js';
import type { ProgressEvent } from '../../../core/schemas/image.js';
import type {
  BuildStep,
  HistoryEntry,
  ImageInfo,
  ImageRemoveResult,
  ImageSummary,
} from '../../../core/schemas/index.js';
import { buildDockerfile } from '../../../builder/builder.js';
import type { BuildHost } from '../../../builder/host.js';
import type { Layer } from '../../../fs-union/layer.js';
import { createEmulatorBuildHost } from './build-host.js';
import { importImage } from './import-image.js';
import type { ImageRecord } from './image-index.js';
import { pullImage } from './pull.js';
import { removeImage } from './remove.js';
import type { StoreCore } from './store-core.js';
import { putArchiveError } from '../containers/archive-input.js';

/** Total content bytes of an image's layers. */
export function imageSize(record: ImageRecord): number {
  return record.image.layers.reduce((sum, l) => sum + l.size, 0);
}

/** The ImageBackend of an emulated engine. */
export class EmulatorImageBackend implements ImageBackend {
  readonly #core: StoreCore;
  #buildHost: BuildHost<Layer> | undefined;

  /** Serves the images of `core`. */
  constructor(core: StoreCore) {
    this.#core = core;
  }

  /** Pulls from the built-in catalogue, then from the configured sources. */
  async pull(
    ref: string,
    options: CallOptions & { onProgress?: (e: ProgressEvent) => void; platform?: string } = {},
  ): Promise<{ id: string }> {
    return pullImage(this.#core, ref, options);
  }

  /** Pushes to the registry the reference names (Docker Hub names: the configured mirror). */
  async push(ref: string, options: CallOptions & { onProgress?: (e: ProgressEvent) => void } = {}): Promise<void> {
    throwIfAborted(options.signal);
    const record = this.#core.index.resolve(ref);
    const registry = this.#core.options.registry;
    if (!registry) throw new UnsupportedError('this image store has no registry access', { details: { ref } });
    const { pushImage } = await import('./registry-push.js');
    await pushImage(this.#core, registry, record, ref, options);
  }

  /** Imports a (possibly compressed) rootfs tar as a one-layer image. */
  async import(
    source: Readable,
    options: CallOptions & { ref?: string; changes: string[]; message?: string },
  ): Promise<{ id: string }> {
    return importImage(this.#core, source, options);
  }

  /** Builds with the shared builder (src/builder) over this engine's build host. */
  async build(request: BuildRequest, options: CallOptions = {}): Promise<{ id: string; steps: BuildStep[] }> {
    throwIfAborted(options.signal);
    // The host (and so the build cache) is made once and lives as long as the engine.
    this.#buildHost ??= createEmulatorBuildHost(this.#core);
    return buildDockerfile(this.#buildHost, {
      context: request.context,
      dockerfile: request.dockerfile,
      buildArgs: request.buildArgs,
      noCache: request.noCache,
      labels: request.labels,
      tags: request.tags,
      now: () => this.#core.now(),
      ...(request.target === undefined ? {} : { target: request.target }),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The rows of `docker images`: newest first, intermediate (untagged parent) images hidden. */
  async list(options: CallOptions = {}): Promise<ImageSummary[]> {
    throwIfAborted(options.signal);
    const { index } = this.#core;
    return index
      .all()
      .filter((r) => index.tagsOf(r.image.id).length > 0 || index.childrenOf(r.image.id).length === 0)
      .sort((a, b) => b.image.created.getTime() - a.image.created.getTime())
      .map((r) => ({ id: r.image.id, repoTags: index.tagsOf(r.image.id), created: r.image.created, size: imageSize(r) }));
  }

  /** `docker image inspect`. */
  async inspect(ref: string, options: CallOptions = {}): Promise<ImageInfo> {
    throwIfAborted(options.signal);
    const r = this.#core.index.resolve(ref);
    return {
      id: r.image.id,
      repoTags: this.#core.index.tagsOf(r.image.id),
      created: r.image.created,
      author: r.meta.author,
      comment: r.meta.comment,
      architecture: r.meta.architecture,
      os: r.meta.os,
      config: structuredClone(r.image.config),
      rootfs: { diffIds: [...r.meta.diffIds] },
      size: imageSize(r),
    };
  }

  /**
   * `docker history`, newest first. As Docker does, the newest row carries the image's ID and
   * each row below the ID of the next local parent; rows with no image of their own are
   * `<missing>`.
   */
  async history(ref: string, options: CallOptions = {}): Promise<HistoryEntry[]> {
    throwIfAborted(options.signal);
    const core = this.#core;
    const r = core.index.resolve(ref);
    let layerIndex = 0;
    const rows: HistoryEntry[] = r.meta.history.map((h) => {
      const layer = h.emptyLayer ? undefined : r.image.layers[layerIndex++];
      return {
        id: '<missing>',
        created: h.created,
        createdBy: h.createdBy,
        size: layer?.size ?? 0,
        comment: h.comment,
        emptyLayer: h.emptyLayer,
      };
    });
    rows.reverse();
    let current: ImageRecord | undefined = r;
    for (const row of rows) {
      if (!current) break;
      row.id = current.image.id;
      current = current.parentId === undefined ? undefined : core.index.get(current.parentId);
    }
    return rows;
  }

  /** `docker tag`: adds a reference (moving it from the image it named before). */
  async tag(ref: string, newRef: string, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const r = this.#core.index.resolve(ref);
    this.#core.tag(newRef, r.image.id);
  }

  /** `docker rmi`. */
  async remove(ref: string, options: CallOptions & { force?: boolean } = {}): Promise<ImageRemoveResult> {
    throwIfAborted(options.signal);
    return removeImage(this.#core, ref, options.force === true);
  }

  /** `docker save` in either archive format. */
  async save(refs: string[], options: CallOptions & { format: 'docker' | 'oci' } = { format: 'docker' }): Promise<Readable> {
    // The archive codec is loaded on first use: most engines never save or load.
    const { saveImages } = await import('./archive-io.js');
    return saveImages(this.#core, refs, options);
  }

  /** `docker load`. */
  async load(tar: Readable, options: CallOptions = {}): Promise<{ id: string; repoTags: string[] }[]> {
    const { loadImages } = await import('./archive-io.js');
    // A malformed archive fails in the engine's words, as putArchive's does.
    return loadImages(this.#core, tar, options).catch((e: unknown) => {
      throw putArchiveError(e);
    });
  }
}
