/**
 * `docker pull` for the emulator. Docker Hub names come from the built-in catalogue (or the
 * configured mirror first), then the configured sources; names with a registry host from the
 * sources, then their registry. A catalogue pull downloads nothing, but its progress reports
 * follow Docker's so a UI built on them shows the usual lines.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { CallOptions } from '../../../core/backend.js';
import { NotFoundError, throwIfAborted } from '../../../core/errors.js';
import { parseImageRef, type ImageRef } from '../../../core/image-ref.js';
import type { ProgressEvent } from '../../../core/schemas/image.js';
import { sha256Digest } from '../../../fs-union/digest.js';
import type { Layer } from '../../../fs-union/layer.js';
import { findCatalogueImage } from './catalogue.js';
import { emptyImageConfig } from './image-config.js';
import type { ImageRecord } from './image-index.js';
import type { StoreCore } from './store-core.js';

/** Options of {@link pullImage}. */
export interface PullImageOptions extends CallOptions {
  /** Progress reports, as Docker's JSON progress stream. */
  onProgress?: (e: ProgressEvent) => void;
  /** The platform a registry pull chooses from a manifest list; the built-in images run everywhere. */
  platform?: string;
}

/** A registry-style manifest digest for the image (what `Digest:` and `repo@digest` show). */
function manifestDigest(configBytes: Buffer, layers: readonly Layer[]): string {
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: configBytes.length, digest: sha256Digest(configBytes) },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: l.size, digest: l.diffId })),
  };
  return sha256Digest(JSON.stringify(manifest));
}

function short(digest: string): string {
  return digest.slice(7, 19);
}


/**
 * Pulls `ref` and tags it; resolves with the image ID.
 *
 * @throws NotFoundError with Docker's texts: `pull access denied for x, repository does not
 *   exist or may require 'docker login'` or `manifest for x:tag not found`
 */
export async function pullImage(core: StoreCore, input: string, options: PullImageOptions = {}): Promise<{ id: string }> {
  throwIfAborted(options.signal);
  const ref = parseImageRef(input, 'ref');
  const progress = (e: ProgressEvent): void => options.onProgress?.(e);
  const tag = ref.tag ?? ref.digest ?? 'latest';
  // Docker names the repository without its registry: `1: Pulling from team/app`.
  progress({ id: tag, status: `Pulling from ${ref.path}` });

  let record: ImageRecord | undefined;
  // The registry's digest, when the image came from one.
  let pulledDigest: string | undefined;
  let knownRepository = false;
  const registry = core.options.registry;
  if (registry?.hasMirror && ref.domain === 'docker.io') {
    // A mirror serves Hub names; the catalogue answers for the ones it lacks.
    try {
      ({ record, digest: pulledDigest } = await registry.pull(core, ref, options));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  if (!record && ref.domain === 'docker.io' && ref.path.startsWith('library/') && ref.tag !== undefined) {
    const found = await findCatalogueImage(ref.name, ref.tag);
    knownRepository = found.repositoryKnown;
    if (found.image) {
      const spec = found.image;
      const existing = new Set(core.index.all().flatMap((r) => r.image.layers.map((l) => l.diffId)));
      record = core.register({ layers: spec.layers, config: spec.config, created: spec.created, history: spec.history });
      // Docker prints no layer lines when the tag already names this very image.
      if (core.index.tagTarget(ref.familiar) !== record.image.id) reportLayers(progress, spec.layers, existing);
    }
  }
  if (!record && core.options.sources) {
    record = await fromSource(core, ref, options.signal);
    if (record) reportLayers(progress, record.image.layers, new Set());
  }
  if (!record && registry && ref.domain !== 'docker.io') {
    // The registry's own NotFoundError (Docker's wording) is the answer when it lacks the image.
    ({ record, digest: pulledDigest } = await registry.pull(core, ref, options));
  }
  throwIfAborted(options.signal);
  if (!record) {
    if (knownRepository) {
      throw new NotFoundError(`manifest for ${ref.familiar} not found: manifest unknown: manifest unknown`, { details: { ref: input } });
    }
    throw new NotFoundError(
      `pull access denied for ${ref.name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      { details: { ref: input } },
    );
  }
  const digest = pulledDigest ?? manifestDigest(record.image.configBytes, record.image.layers);
  const pinned = `${ref.name}@${digest}`;
  if (!record.repoDigests.includes(pinned)) record.repoDigests.push(pinned);
  const upToDate = ref.tag !== undefined && core.index.tagTarget(ref.familiar) === record.image.id;
  if (ref.tag !== undefined && !upToDate) core.index.setTag(ref.familiar, record.image.id);
  progress({ status: `Digest: ${digest}` });
  progress({ status: upToDate ? `Status: Image is up to date for ${ref.familiar}` : `Status: Downloaded newer image for ${ref.familiar}` });
  core.emit('pull', record.image.id, ref.familiar);
  return { id: record.image.id };
}

function reportLayers(progress: (e: ProgressEvent) => void, layers: readonly Layer[], existing: Set<string>): void {
  for (const layer of layers) {
    const id = short(layer.diffId);
    if (existing.has(layer.diffId)) {
      progress({ id, status: 'Already exists' });
      continue;
    }
    progress({ id, status: 'Pulling fs layer' });
    progress({ id, status: 'Downloading', current: layer.size, total: layer.size });
    progress({ id, status: 'Download complete' });
    progress({ id, status: 'Extracting', current: layer.size, total: layer.size });
    progress({ id, status: 'Pull complete' });
  }
}

/** Asks the configured source; an archive is loaded, layers become a fresh image. */
async function fromSource(core: StoreCore, ref: ImageRef, signal: AbortSignal | undefined): Promise<ImageRecord | undefined> {
  const result = await core.options.sources!(ref, signal ? { signal } : {});
  if (result === undefined) return undefined;
  if (result instanceof Readable) {
    const { loadArchiveRecords } = await import('./archive-io.js');
    const loaded = await loadArchiveRecords(core, result, signal);
    return loaded[0]?.record;
  }
  const layers: Layer[] = [];
  // An image's diff_ids must name the bytes a save writes: take each layer in canonical form.
  for (const layer of result.layers) layers.push(await layer.toCanonical(signal ? { signal } : {}));
  const created = result.created ?? core.now();
  return core.register({
    layers,
    config: { ...emptyImageConfig(), ...(result.config ?? {}) },
    created,
    history: layers.map(() => ({ created, createdBy: '', comment: '', author: '', emptyLayer: false })),
  });
}
