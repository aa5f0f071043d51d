/**
 * Moving images in and out of the engine: pull, push, import, save and load.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { CallOptions } from '../../../core/backend.js';
import { parseImageRef } from '../../../core/image-ref.js';
import type { ProgressEvent } from '../../../core/schemas/index.js';
import { readImageArchive, writeImageArchive } from '../../../fs-union/archive/index.js';
import { seg, type DockerBackendContext } from '../context.js';
import { readJsonProgress } from '../transport/index.js';
import { loadedReferences } from './image-mappers.js';
import { encodeRegistryAuth } from './registry-auth.js';

/** An empty credential: the engine wants the header even for anonymous pushes. */
const ANONYMOUS_AUTH = encodeRegistryAuth({});

/** Repository and tag query parameters for a reference (`repo`, `tag`). */
export function repoAndTag(ref: string): { repo: string; tag?: string } {
  const parsed = parseImageRef(ref, 'ref');
  if (parsed.digest) return { repo: `${parsed.name}@${parsed.digest}` };
  return parsed.tag ? { repo: parsed.name, tag: parsed.tag } : { repo: parsed.name };
}

/** Image ID of a reference (`GET /images/{ref}/json`). */
export async function imageIdOf(ctx: DockerBackendContext, ref: string, signal?: AbortSignal): Promise<string> {
  return (await ctx.client.json<{ Id: string }>('GET', `/images/${seg(ref)}/json`, { signal })).Id;
}

/**
 * `POST /images/create?fromImage&tag` with the registry's credentials when there are any:
 * resolves when the stream ends (not when it starts, as dockerode's does); an `errorDetail`
 * rejects with its typed error (a missing image: NotFoundError).
 */
export async function pullImage(
  ctx: DockerBackendContext,
  ref: string,
  options: CallOptions & { onProgress?: (e: ProgressEvent) => void; platform?: string } = {},
): Promise<{ id: string }> {
  const { repo, tag } = repoAndTag(ref);
  const auth = await ctx.registryAuth.forRef(ref);
  try {
    const body = await ctx.client.stream('POST', '/images/create', {
      query: { fromImage: repo, tag, platform: options.platform },
      ...(auth.header === undefined ? {} : { headers: { 'X-Registry-Auth': auth.header } }),
      signal: options.signal,
    });
    await readJsonProgress(body, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw auth.refine(error);
  }
  return { id: await imageIdOf(ctx, ref, options.signal) };
}

/** `POST /images/{name}/push?tag=` with the registry's credentials (an empty `X-Registry-Auth` without any: the engine wants the header). */
export async function pushImage(ctx: DockerBackendContext, ref: string, options: CallOptions & { onProgress?: (e: ProgressEvent) => void } = {}): Promise<void> {
  const { repo, tag } = repoAndTag(ref);
  const auth = await ctx.registryAuth.forRef(ref);
  try {
    const body = await ctx.client.stream('POST', `/images/${seg(repo)}/push`, {
      query: { tag },
      headers: { 'X-Registry-Auth': auth.header ?? ANONYMOUS_AUTH },
      signal: options.signal,
    });
    await readJsonProgress(body, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw auth.refine(error);
  }
}

/**
 * `POST /images/create?fromSrc=-` with the rootfs tar as body (the engine itself accepts
 * plain, gzip, bzip2 and xz); the last status is the new image's ID.
 */
export async function importImage(
  ctx: DockerBackendContext,
  source: Readable,
  options: CallOptions & { ref?: string; changes: string[]; message?: string },
): Promise<{ id: string }> {
  const target = options.ref !== undefined ? repoAndTag(options.ref) : undefined;
  const body = await ctx.client.stream('POST', '/images/create', {
    query: { fromSrc: '-', repo: target?.repo, tag: target?.tag, message: options.message, changes: options.changes },
    body: source,
    contentType: 'application/x-tar',
    signal: options.signal,
  });
  const result = await readJsonProgress(body, options.signal ? { signal: options.signal } : {});
  const id = result.lastStatus?.trim();
  if (id && /^sha256:[0-9a-f]{64}$/.test(id)) return { id };
  // Older engines report only the tag; the reference says which image it became.
  return { id: await imageIdOf(ctx, options.ref ?? id ?? '', options.signal) };
}

/**
 * `GET /images/get?names=...`: a docker-archive as the engine writes it, or, for `oci`, that
 * archive rewritten as an OCI image layout (which carries manifest.json too, so the engine
 * loads it back).
 */
export async function saveImages(ctx: DockerBackendContext, refs: string[], options: CallOptions & { format: 'docker' | 'oci' }): Promise<Readable> {
  const body = await ctx.client.stream('GET', '/images/get', { query: { names: refs }, signal: options.signal });
  if (options.format === 'docker') return body;
  const archive = await readImageArchive(body, options.signal ? { signal: options.signal } : {});
  try {
    const out = writeImageArchive(
      archive.images.map((image) => ({
        config: image.config,
        repoTags: image.repoTags,
        layers: image.layers.map((layer) => ({ diffId: layer.diffId, size: layer.size, open: () => layer.open() })),
      })),
      { format: 'oci', ...(options.signal ? { signal: options.signal } : {}) },
    );
    out.once('close', () => void archive.dispose());
    return out;
  } catch (error) {
    await archive.dispose();
    throw error;
  }
}

/**
 * `POST /images/load`: maps `Loaded image: x` (inspected to its ID) and `Loaded image ID:`
 * messages to the loaded images.
 */
export async function loadImages(ctx: DockerBackendContext, tar: Readable, options: CallOptions = {}): Promise<{ id: string; repoTags: string[] }[]> {
  const body = await ctx.client.stream('POST', '/images/load', {
    query: { quiet: false },
    body: tar,
    contentType: 'application/x-tar',
    signal: options.signal,
  });
  const result = await readJsonProgress(body, options.signal ? { signal: options.signal } : {});
  const { tags, ids } = loadedReferences(result.streams);
  const byId = new Map<string, string[]>();
  for (const id of ids) if (!byId.has(id)) byId.set(id, []);
  for (const tag of tags) {
    const id = await imageIdOf(ctx, tag, options.signal);
    const list = byId.get(id) ?? [];
    list.push(tag);
    byId.set(id, list);
  }
  return [...byId].map(([id, repoTags]) => ({ id, repoTags }));
}
