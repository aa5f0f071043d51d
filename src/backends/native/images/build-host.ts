/**
 * The native backend's {@link BuildHost} for the shared Dockerfile builder: base images and
 * layers from the image store (layers are stored blobs, extracted when a step runs on them),
 * read-only filesystem views for `COPY --from` and `--chown` through fs-union's union view of
 * the layers' tars, RUN steps as temporary containers, and a build cache that lives in the
 * state root (one file per step key), so a second process and a later run reuse it.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BuildBaseImage, BuildCacheIndex, BuildCacheRecord, BuildHost, CommitImageSpec } from '../../../builder/host.js';
import { throwIfAborted } from '../../../core/errors.js';
import { parseImageRef } from '../../../core/image-ref.js';
import { Layer } from '../../../fs-union/layer.js';
import { UnionFS } from '../../../fs-union/union-fs.js';
import type { NativeContext } from '../context.js';
import { readJsonFile, writeJsonAtomic } from '../state/atomic-file.js';
import { runBuildStep, type NativeBuildLayer } from './build-step.js';
import { encodeImageConfig } from './image-config.js';

const CacheRecordSchema = z.object({ layer: z.object({ diffId: z.string(), size: z.number().int().min(0) }).optional() });

/** The build cache: `root/build-cache/<key>.json`; an entry whose blob is gone is a miss. */
class DiskCache implements BuildCacheIndex<NativeBuildLayer> {
  readonly #ctx: NativeContext;
  readonly #dir: string;

  constructor(ctx: NativeContext) {
    this.#ctx = ctx;
    this.#dir = join(ctx.paths.root, 'build-cache');
  }

  async get(key: string): Promise<BuildCacheRecord<NativeBuildLayer> | undefined> {
    if (!/^[0-9a-f]+$/.test(key)) return undefined;
    const record = await readJsonFile(join(this.#dir, `${key}.json`), CacheRecordSchema).catch(() => undefined);
    if (!record) return undefined;
    if (record.layer && (await this.#ctx.images.blobs.size(record.layer.diffId)) === undefined) return undefined;
    return record.layer ? { layer: record.layer } : {};
  }

  async put(key: string, record: BuildCacheRecord<NativeBuildLayer>): Promise<void> {
    if (!/^[0-9a-f]+$/.test(key)) return;
    await mkdir(this.#dir, { recursive: true });
    await writeJsonAtomic(join(this.#dir, `${key}.json`), record.layer ? { layer: { diffId: record.layer.diffId, size: record.layer.size } } : {});
  }
}

/** Creates the build host of a native engine. */
export function createNativeBuildHost(ctx: NativeContext): BuildHost<NativeBuildLayer> {
  const parsed = new Map<string, Layer>();
  const layerOf = async (diffId: string, signal?: AbortSignal): Promise<Layer> => {
    let layer = parsed.get(diffId);
    if (!layer) {
      layer = await Layer.fromTar(await ctx.images.blobs.open(diffId), signal ? { signal } : {});
      // A few recent stacks are enough (COPY --from and --chown of the stages at hand).
      if (parsed.size >= 64) parsed.delete(parsed.keys().next().value!);
      parsed.set(diffId, layer);
    }
    return layer;
  };
  return {
    cache: new DiskCache(ctx),
    async resolveImage(ref, options): Promise<BuildBaseImage<NativeBuildLayer>> {
      throwIfAborted(options.signal);
      // Pulling is not wired into the native backend yet: a missing base is NotFound.
      const image = await ctx.images.resolve(ref);
      const c = image.config;
      const layers: NativeBuildLayer[] = [];
      for (const diffId of c.diffIds) layers.push({ diffId, size: (await ctx.images.blobs.size(diffId)) ?? 0 });
      const { onBuild, healthcheck, shell, stopSignal, ...runnable } = c.config;
      return {
        id: image.record.id,
        layers,
        config: {
          ...structuredClone(runnable),
          stopSignal: stopSignal ?? '',
          onBuild: [...(onBuild ?? [])],
          ...(healthcheck ? { healthcheck: structuredClone(healthcheck) } : {}),
          ...(shell ? { shell: [...shell] } : {}),
        },
        history: c.history.map((h) => ({ created: h.created, createdBy: h.createdBy, comment: h.comment, emptyLayer: h.emptyLayer })),
        author: c.author,
      };
    },
    async openFs(layers, signal) {
      const parts: Layer[] = [];
      for (const layer of layers) parts.push(await layerOf(layer.diffId, signal));
      return new UnionFS(parts, { readOnly: true });
    },
    async importLayer(layer, signal) {
      const blob = await ctx.images.blobs.putStream(layer.toTar(signal ? { signal } : {}), signal ? { signal } : {});
      return { diffId: blob.digest, size: blob.size };
    },
    run: (spec, signal) => runBuildStep(ctx, spec, signal),
    async commitImage(spec: CommitImageSpec<NativeBuildLayer>, signal) {
      throwIfAborted(signal);
      const { onBuild, healthcheck, shell, stopSignal, ...runnable } = spec.config;
      const configBytes = encodeImageConfig({
        config: {
          ...runnable,
          ...(stopSignal ? { stopSignal } : {}),
          ...(onBuild.length ? { onBuild } : {}),
          ...(healthcheck ? { healthcheck } : {}),
          ...(shell ? { shell } : {}),
        },
        created: spec.created,
        author: spec.author,
        comment: '',
        diffIds: spec.layers.map((l) => l.diffId),
        history: spec.history.map((h) => ({ ...h, author: '' })),
      });
      const id = await ctx.images.add({
        configBytes,
        layers: spec.layers.map((l) => ({ diffId: l.diffId, open: () => ctx.images.blobs.open(l.diffId) })),
        tags: spec.tags.map((t) => parseImageRef(t).familiar),
      }, signal);
      return { id };
    },
  };
}
