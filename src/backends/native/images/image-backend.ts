/**
 * The images part of the native Backend.
 *
 * @module
 */
import type { ImageBackend } from '../../../core/backend.js';
import { UnsupportedError } from '../../../core/errors.js';
import type { NativeContext } from '../context.js';
import { importRootfs, loadImages, saveImages } from './import-save-load.js';
import type { ImageUser } from './image-remove.js';
import { chainIds } from './layer-store.js';
import { buildDockerfile } from '../../../builder/index.js';
import { createNativeBuildHost } from './build-host.js';
import { engineTarError } from '../../../fs-union/errors.js';

/** Creates the images part of the backend. */
export function nativeImages(ctx: NativeContext): ImageBackend {
  let host: ReturnType<typeof createNativeBuildHost> | undefined;
  /** Which container uses each image, read once per removal (under the engine lock). */
  const usage = async (): Promise<{ userOf: (id: string) => ImageUser; layers: Set<string> }> => {
    const users = new Map<string, { containerId: string; running: boolean }>();
    const layers = new Set<string>();
    for (const { record, state } of await ctx.containers.all()) {
      const running = state.status === 'running' || state.status === 'paused';
      const known = users.get(record.imageId);
      if (!known || (running && !known.running)) users.set(record.imageId, { containerId: record.id, running });
      // A container keeps the layers it stands on even when its image goes.
      const config = await ctx.images.config(record.imageId).catch(() => undefined);
      for (const chain of chainIds(config?.diffIds ?? [])) layers.add(chain);
      if (record.rootfs.chainId) layers.add(record.rootfs.chainId);
    }
    return { userOf: (id) => users.get(id), layers };
  };
  return {
    async pull() {
      throw new UnsupportedError('pulling images is not wired into the native backend yet', { details: { backend: 'native' } });
    },
    async push() {
      throw new UnsupportedError('pushing images is not wired into the native backend yet', { details: { backend: 'native' } });
    },
    async import(source, options) {
      const id = await importRootfs(ctx.images, source, {
        changes: options.changes,
        ...(options.ref !== undefined ? { ref: options.ref } : {}),
        ...(options.message !== undefined ? { message: options.message } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await ctx.events.append({ type: 'image', action: 'import', id, attributes: {} });
      return { id };
    },
    async build(request, options) {
      // One host per backend: its parsed-layer cache lives as long as the engine.
      host ??= createNativeBuildHost(ctx);
      const result = await buildDockerfile(host, {
        context: request.context,
        dockerfile: request.dockerfile,
        buildArgs: request.buildArgs,
        noCache: request.noCache,
        labels: request.labels,
        tags: request.tags,
        ...(request.target === undefined ? {} : { target: request.target }),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      await ctx.events.append({ type: 'image', action: 'build', id: result.id, attributes: {} });
      return result;
    },
    list: () => ctx.images.list(),
    inspect: (ref) => ctx.images.inspect(ref),
    history: (ref) => ctx.images.history(ref),
    async tag(ref, newRef, options) {
      await ctx.images.tag(ref, newRef, options?.signal);
      await ctx.events.append({ type: 'image', action: 'tag', id: ref, attributes: { name: newRef } });
    },
    async remove(ref, options) {
      // The usage is read inside the engine lock the removal holds, so no container can be
      // created on the image in between.
      let current: Awaited<ReturnType<typeof usage>> | undefined;
      const result = await ctx.images.remove(
        ref,
        options?.force ?? false,
        (id) => current?.userOf(id),
        async () => current?.layers ?? new Set(),
        options?.signal,
        async () => { current = await usage(); },
      );
      for (const id of result.deleted) await ctx.events.append({ type: 'image', action: 'delete', id, attributes: {} });
      return result;
    },
    save: (refs, options) => saveImages(ctx.images, refs, { format: options?.format ?? 'docker', ...(options?.signal ? { signal: options.signal } : {}) }),
    async load(tar, options) {
      // A malformed archive fails in the engine's words, as on the other backends.
      const loaded = await loadImages(ctx.images, tar, options?.signal).catch((e: unknown) => {
        throw engineTarError(e);
      });
      for (const image of loaded) await ctx.events.append({ type: 'image', action: 'load', id: image.id, attributes: {} });
      return loaded;
    },
  };
}
