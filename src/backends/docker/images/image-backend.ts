/**
 * The images part of the Docker backend.
 *
 * @module
 */
import type { ImageBackend } from '../../../core/backend.js';
import { seg, type DockerBackendContext } from '../context.js';
import type { EngineHistoryRow, EngineImageInspect, EngineImageSummary } from '../engine-types.js';
import { buildImage } from './build.js';
import { mapHistory, mapImageInfo, mapImageSummary, mapRemoveResult } from './image-mappers.js';
import { importImage, loadImages, pullImage, pushImage, repoAndTag, saveImages } from './transfer.js';

/** Builds the images backend over a shared context. */
export function createDockerImageBackend(ctx: DockerBackendContext): ImageBackend {
  const { client } = ctx;
  return {
    pull: (ref, options) => pullImage(ctx, ref, options),
    push: (ref, options) => pushImage(ctx, ref, options),
    import: (source, options) => importImage(ctx, source, options),
    build: (request, options) => buildImage(ctx, request, options),
    async list(options = {}) {
      const rows = await client.json<EngineImageSummary[]>('GET', '/images/json', { signal: options.signal });
      return (rows ?? []).map(mapImageSummary);
    },
    async inspect(ref, options = {}) {
      return mapImageInfo(await client.json<EngineImageInspect>('GET', `/images/${seg(ref)}/json`, { signal: options.signal }));
    },
    async history(ref, options = {}) {
      return mapHistory(await client.json<EngineHistoryRow[]>('GET', `/images/${seg(ref)}/history`, { signal: options.signal }));
    },
    async tag(ref, newRef, options = {}) {
      const { repo, tag } = repoAndTag(newRef);
      await client.send('POST', `/images/${seg(ref)}/tag`, { query: { repo, tag }, signal: options.signal });
    },
    async remove(ref, options = {}) {
      const rows = await client.json<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${seg(ref)}`, {
        query: { force: options.force ?? false },
        signal: options.signal,
      });
      return mapRemoveResult(rows);
    },
    save: (refs, options) => saveImages(ctx, refs, options ?? { format: 'docker' }),
    load: (tar, options) => loadImages(ctx, tar, options),
  };
}
