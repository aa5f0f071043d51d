/**
 * `docker pull` against a registry: resolve the manifest for the platform, fetch and check the
 * config, then stream the missing layers into the backend's {@link BlobSink} a few at a time.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { RegistryError } from '../core/errors.js';
import type { ImageRef } from '../core/image-ref.js';
import { downloadBlob, fetchSmallBlob } from './blob-download.js';
import type { BlobSink } from './blob-store.js';
import type { RegistryEndpoint } from './endpoint.js';
import { isLayerMediaType, type Descriptor, type Platform } from './manifest.js';
import { runBounded } from './parallel.js';
import { ProgressReporter, shortId, type ProgressListener } from './progress.js';
import { resolveImage, type FetchedManifest } from './resolve.js';
import type { RegistryTransport } from './transport.js';

/** Image configs larger than this are refused: they are JSON, not data. */
const CONFIG_LIMIT = 32 * 1024 * 1024;

/** A layer of a pulled image. */
export interface PulledLayer {
  /** Digest of the blob (compressed). */
  digest: string;
  /** Blob size. */
  size: number;
  /** Blob media type. */
  mediaType: string;
  /** The config's diffID for it (sha256 of the uncompressed tar). */
  diffId: string;
}

/** What `RegistryClient.pull` resolves with once every layer is in the sink. */
export interface PulledImage {
  /** The registry's name (`127.0.0.1:5000`). */
  registry: string;
  /** The repository path (`library/busybox`). */
  repository: string;
  /** What the tag or digest named: Docker's RepoDigest (`name@digest`) and `Digest:` line. */
  digest: string;
  /** The index the reference named, when it named one. */
  index?: FetchedManifest;
  /** The image manifest pulled, exact bytes. */
  manifest: FetchedManifest;
  /** The image config, exact bytes (its digest is the image ID). */
  config: FetchedManifest;
  /** Layers, bottom first, as the manifest lists them. */
  layers: PulledLayer[];
  /** The platform of the image pulled (from the index entry, else from the config). */
  platform: Platform;
}

/** Everything a pull needs from the client. */
export interface PullContext {
  /** HTTP with auth. */
  transport: RegistryTransport;
  /** The registry. */
  endpoint: RegistryEndpoint;
  /** Layers downloaded at once. */
  concurrency: number;
  /** Further attempts per blob after a lost connection. */
  retries: number;
  /** Called for every layer present or stored, with its origin (mount candidates for pushes). */
  remember?: (digest: string) => void;
}

/** Options of {@link pullImage}. */
export interface PullImageOptions {
  /** The platform wanted. */
  platform: Platform;
  /** Progress reports. */
  onProgress?: ProgressListener | undefined;
  /** Cancels the pull; layers being written are discarded by the sink. */
  signal?: AbortSignal | undefined;
}

/** The config's `rootfs.diff_ids`, `os`, `architecture` and `variant`. */
function readConfig(bytes: Buffer, where: Record<string, unknown>): { diffIds: string[]; platform: Platform } {
  let doc: { rootfs?: { diff_ids?: unknown }; os?: unknown; architecture?: unknown; variant?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch (cause) {
    throw new RegistryError('the image config is not JSON', { details: where, cause });
  }
  const ids = doc.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.some((d) => typeof d !== 'string')) {
    throw new RegistryError('the image config has no rootfs.diff_ids', { details: where });
  }
  const platform: Platform = {
    os: typeof doc.os === 'string' ? doc.os : 'linux',
    architecture: typeof doc.architecture === 'string' ? doc.architecture : '',
  };
  if (typeof doc.variant === 'string' && doc.variant !== '') platform.variant = doc.variant;
  return { diffIds: ids as string[], platform };
}

/**
 * Pulls an image's layers into `sink` and resolves with what the backend records: the
 * manifest(s), the config and the layer list.
 *
 * @throws NotFoundError (repository, tag, platform or blob unknown), AuthenticationError,
 *   RateLimitError, DigestMismatchError, RegistryError, UnsupportedError (schema 1, foreign
 *   media types), AbortError
 */
export async function pullImage(ctx: PullContext, ref: ImageRef, sink: BlobSink, options: PullImageOptions): Promise<PulledImage> {
  const { signal } = options;
  const scope = [`repository:${ref.path}:pull`];
  const where = { registry: ctx.endpoint.name, repository: ref.path };
  const resolved = await resolveImage({ transport: ctx.transport, endpoint: ctx.endpoint, scope, signal }, ref, options.platform);
  const { parsed } = resolved;
  const download = { repository: ref.path, scope, retries: ctx.retries, signal };
  const configBytes = await fetchSmallBlob(ctx.transport, ctx.endpoint, parsed.config, { ...download, limit: CONFIG_LIMIT });
  ctx.remember?.(parsed.config.digest);
  const config = readConfig(configBytes, where);
  if (config.diffIds.length !== parsed.layers.length) {
    throw new RegistryError(`the manifest lists ${parsed.layers.length} layers but the config ${config.diffIds.length}`, { details: where });
  }
  for (const layer of parsed.layers) {
    if (!isLayerMediaType(layer.mediaType)) {
      throw new RegistryError(`layer ${layer.digest} has media type ${layer.mediaType}, which is not an image layer`, { details: { ...where, mediaType: layer.mediaType } });
    }
  }
  const layers: PulledLayer[] = parsed.layers.map((l, i) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, diffId: config.diffIds[i]! }));

  const progress = new ProgressReporter(options.onProgress, 'Downloading');
  // Each distinct blob once, in manifest order; present ones are skipped.
  const missing: { layer: PulledLayer; descriptor: Descriptor }[] = [];
  const seen = new Set<string>();
  for (const [i, layer] of layers.entries()) {
    if (seen.has(layer.digest)) continue;
    seen.add(layer.digest);
    const id = shortId(layer.digest);
    if (await sink.has(layer.digest, { signal })) {
      progress.emit({ id, status: 'Already exists' });
      ctx.remember?.(layer.digest);
      continue;
    }
    progress.emit({ id, status: 'Pulling fs layer' });
    progress.expect(layer.size);
    missing.push({ layer, descriptor: parsed.layers[i]! });
  }

  await runBounded(missing, ctx.concurrency, async ({ layer, descriptor }, inner) => {
    const id = shortId(layer.digest);
    const body = Readable.from(downloadBlob(ctx.transport, ctx.endpoint, descriptor, {
      ...download,
      signal: inner,
      onBytes: progress.counter(id, layer.size),
      onVerified: () => {
        progress.emit({ id, status: 'Verifying Checksum' });
        progress.emit({ id, status: 'Download complete' });
      },
    }), { objectMode: false });
    try {
      await sink.write({
        digest: layer.digest,
        size: layer.size,
        mediaType: layer.mediaType,
        diffId: layer.diffId,
        origin: { registry: ctx.endpoint.name, repository: ref.path },
      }, body, { signal: inner });
    } finally {
      body.destroy();
    }
    if (!body.readableEnded) {
      // The sink returned without reading the blob to its end: it cannot have checked it.
      throw new RegistryError(`the blob sink accepted ${layer.digest} before reading all of it`, { details: { digest: layer.digest } });
    }
    ctx.remember?.(layer.digest);
    progress.emit({ id, status: 'Pull complete' });
  }, { signal, onWait: ({ layer }) => progress.emit({ id: shortId(layer.digest), status: 'Waiting' }) });

  const out: PulledImage = {
    registry: ctx.endpoint.name,
    repository: ref.path,
    digest: resolved.digest,
    manifest: resolved.manifest,
    config: { digest: parsed.config.digest, mediaType: parsed.config.mediaType, bytes: configBytes },
    layers,
    platform: resolved.platform ?? config.platform,
  };
  if (resolved.index) out.index = resolved.index;
  return out;
}
