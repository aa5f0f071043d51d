/**
 * The emulator's {@link BuildHost}: images and layers from the engine's image store (a missing
 * base is pulled, as the catalogue and image sources allow), layers as fs-union layers in
 * memory, RUN steps through the step runner, and a cache index that lives as long as the
 * engine.
 *
 * @module
 */
import type { BuildBaseImage, BuildCacheIndex, BuildCacheRecord, BuildHost, CommitImageSpec } from '../../../builder/host.js';
import { throwIfAborted, UnsupportedError } from '../../../core/errors.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import type { Layer } from '../../../fs-union/layer.js';
import { UnionFS } from '../../../fs-union/union-fs.js';
import { pullImage } from './pull.js';
import type { BuildConfigExtras } from './image-config.js';
import type { StoreCore } from './store-core.js';

/** The cache index: step key to result, in memory. */
class MemoryCache implements BuildCacheIndex<Layer> {
  readonly #records = new Map<string, BuildCacheRecord<Layer>>();

  async get(key: string): Promise<BuildCacheRecord<Layer> | undefined> {
    return this.#records.get(key);
  }

  async put(key: string, record: BuildCacheRecord<Layer>): Promise<void> {
    this.#records.set(key, record);
  }
}

/** Creates the build host of one emulated engine (one per engine: the cache lives in it). */
export function createEmulatorBuildHost(core: StoreCore): BuildHost<Layer> {
  const cache = new MemoryCache();
  return {
    cache,
    async resolveImage(ref, options): Promise<BuildBaseImage<Layer>> {
      throwIfAborted(options.signal);
      let found = core.index.lookup(ref);
      if (found.kind !== 'found' && options.pull === 'missing') {
        await pullImage(core, ref, options.signal ? { signal: options.signal } : {});
        found = core.index.lookup(ref);
      }
      const record = found.kind === 'found' ? found.record : core.index.resolve(ref);
      const { extras } = record.meta;
      return {
        id: record.image.id,
        layers: [...record.image.layers],
        config: {
          ...structuredClone(record.image.config),
          onBuild: [...(extras.onBuild ?? [])],
          ...(extras.healthcheck ? { healthcheck: structuredClone(extras.healthcheck) } : {}),
          ...(extras.shell ? { shell: [...extras.shell] } : {}),
        },
        history: record.meta.history.map((h) => ({ created: h.created, createdBy: h.createdBy, comment: h.comment, emptyLayer: h.emptyLayer })),
        author: record.meta.author,
      };
    },
    async openFs(layers) {
      return new UnionFS(layers, { readOnly: true });
    },
    async importLayer(layer) {
      return layer;
    },
    async run(spec, signal) {
      const runner = core.options.stepRunner;
      if (!runner) throw new UnsupportedError('this image store cannot run build steps');
      return runner(spec, signal);
    },
    async commitImage(spec: CommitImageSpec<Layer>, signal) {
      throwIfAborted(signal);
      const { onBuild, healthcheck, shell, ...rest } = spec.config;
      const config: ImageConfig = rest;
      const extras: BuildConfigExtras = { onBuild, ...(healthcheck ? { healthcheck } : {}), ...(shell ? { shell } : {}) };
      const record = core.register({
        layers: spec.layers,
        config,
        created: spec.created,
        history: spec.history.map((h) => ({ ...h, author: '' })),
        author: spec.author,
        extras,
      });
      for (const tag of spec.tags) core.tag(tag, record.image.id);
      return { id: record.image.id };
    },
  };
}
