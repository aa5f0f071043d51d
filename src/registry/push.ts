/**
 * `docker push`: every layer blob (skipped when the registry has it, mounted from another
 * repository when it can be), then the config blob, then the manifest under the tag, last, so
 * the tag never names an image whose blobs are not all there.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { DigestMismatchError, RegistryError } from '../core/errors.js';
import type { ImageRef } from '../core/image-ref.js';
import { sha256Digest } from '../fs-union/digest.js';
import type { BlobOrigin, BlobSource } from './blob-store.js';
import type { RegistryEndpoint } from './endpoint.js';
import { encodeDockerManifest, MediaTypes, type Descriptor } from './manifest.js';
import { runBounded } from './parallel.js';
import { ProgressReporter, shortId, type ProgressListener } from './progress.js';
import { header, release, type RegistryTransport } from './transport.js';
import { uploadBlob } from './upload.js';

/** One layer of an image to push. */
export interface PushLayer {
  /** Digest of the blob as it will be uploaded (compressed). */
  digest: string;
  /** Its size. */
  size: number;
  /** Its media type (default: Docker's gzip layer). */
  mediaType?: string;
  /** Its diffID, for the progress lines (Docker names pushed layers by it). */
  diffId?: string;
  /** Repositories known to hold the blob already (a pull's origin): mount candidates. */
  mountFrom?: readonly BlobOrigin[];
}

/** An image to push: the backend's description of it; blob bytes come from a {@link BlobSource}. */
export interface PushImage {
  /** The config, exact bytes (their digest is the image ID). */
  config: {
    /** The bytes. */
    bytes: Buffer;
    /** Its media type (default: Docker's image config). */
    mediaType?: string;
  };
  /** Layers, bottom first. */
  layers: PushLayer[];
  /**
   * Exact manifest bytes to push (a pulled image pushed again keeps its digest); it must name
   * exactly this config and these layers. Absent: a Docker schema 2 manifest is written.
   */
  manifest?: {
    /** The bytes. */
    bytes: Buffer;
    /** Its media type. */
    mediaType: string;
  };
}

/** What a push did. */
export interface PushResult {
  /** The manifest's digest (what `repo@digest` pins). */
  digest: string;
  /** The manifest's size in bytes. */
  size: number;
  /** The manifest's media type. */
  mediaType: string;
  /** The tag pushed. */
  tag: string;
}

/** Everything a push needs from the client. */
export interface PushContext {
  /** HTTP with auth. */
  transport: RegistryTransport;
  /** The registry. */
  endpoint: RegistryEndpoint;
  /** Layers uploaded at once. */
  concurrency: number;
  /** Chunk size for chunked uploads; undefined: monolithic. */
  chunkSize?: number | undefined;
  /** Other repositories of this registry the client has seen a blob in. */
  knownIn?: (digest: string) => readonly string[];
  /** Records that the blob is now in a repository. */
  remember?: (digest: string) => void;
}

/** Options of {@link pushImage}. */
export interface PushImageOptions {
  /** Progress reports. */
  onProgress?: ProgressListener | undefined;
  /** Cancels the push (the manifest is then never written). */
  signal?: AbortSignal | undefined;
}

/** The config blob is kept in memory: a source for it. */
function configSource(config: Buffer, layers: BlobSource): BlobSource {
  const digest = sha256Digest(config);
  return {
    read: async (d, options) => (d === digest ? Readable.from([config]) : layers.read(d, options)),
  };
}

/**
 * Pushes an image under `ref`'s tag.
 *
 * @throws RegistryError for a manifest that does not match the image,
 *   DigestMismatchError, AuthenticationError, RateLimitError, RegistryError, AbortError
 */
export async function pushImage(ctx: PushContext, ref: ImageRef, image: PushImage, source: BlobSource, options: PushImageOptions): Promise<PushResult> {
  const { signal } = options;
  const tag = ref.tag ?? 'latest';
  const progress = new ProgressReporter(options.onProgress, 'Pushing');
  const repository = ref.path;
  progress.emit({ status: `The push refers to repository [${ref.name}]` });
  const config: Descriptor = {
    mediaType: image.config.mediaType ?? MediaTypes.dockerConfig,
    digest: sha256Digest(image.config.bytes),
    size: image.config.bytes.length,
  };
  const layers: Descriptor[] = image.layers.map((l) => ({ mediaType: l.mediaType ?? MediaTypes.dockerLayerGzip, digest: l.digest, size: l.size }));
  const manifest = image.manifest ?? { bytes: encodeDockerManifest(config, layers), mediaType: MediaTypes.dockerManifest };
  if (image.manifest) checkManifest(image.manifest.bytes, config, layers);

  // Docker lists the layers top first.
  const unique = [...new Map(image.layers.map((l) => [l.digest, l])).values()].reverse();
  for (const l of unique) progress.emit({ id: shortId(l.diffId ?? l.digest), status: 'Preparing' });
  const blobs = configSource(image.config.bytes, source);
  const mountCandidates = (l: PushLayer): string[] => {
    const hinted = (l.mountFrom ?? []).filter((o) => o.registry === ctx.endpoint.name).map((o) => o.repository);
    return [...new Set([...hinted, ...(ctx.knownIn?.(l.digest) ?? [])])].filter((r) => r !== repository);
  };
  await runBounded(unique, ctx.concurrency, async (l, inner) => {
    const id = shortId(l.diffId ?? l.digest);
    const outcome = await uploadBlob(ctx.transport, ctx.endpoint, { digest: l.digest, size: l.size }, blobs, {
      repository,
      mountFrom: mountCandidates(l),
      chunkSize: ctx.chunkSize,
      onBytes: progress.counter(id, l.size),
      onStart: () => progress.expect(l.size),
      signal: inner,
    });
    ctx.remember?.(l.digest);
    if (outcome.kind === 'exists') progress.emit({ id, status: 'Layer already exists' });
    else if (outcome.kind === 'mounted') progress.emit({ id, status: `Mounted from ${outcome.from}` });
    else progress.emit({ id, status: 'Pushed' });
  }, { signal, onWait: (l) => progress.emit({ id: shortId(l.diffId ?? l.digest), status: 'Waiting' }) });

  const configMounts = (ctx.knownIn?.(config.digest) ?? []).filter((r) => r !== repository);
  await uploadBlob(ctx.transport, ctx.endpoint, { digest: config.digest, size: config.size }, blobs, { repository, mountFrom: configMounts, chunkSize: ctx.chunkSize, signal });
  ctx.remember?.(config.digest);

  const digest = sha256Digest(manifest.bytes);
  const res = await ctx.transport.send(ctx.endpoint, {
    method: 'PUT',
    url: `/v2/${repository}/manifests/${tag}`,
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes,
    scope: [`repository:${repository}:pull,push`],
    expect: [200, 201],
    signal,
  });
  release(res.body);
  const served = header(res.headers, 'docker-content-digest');
  if (served !== undefined && served.startsWith('sha256:') && served !== digest) {
    throw new DigestMismatchError(`${ctx.endpoint.name} stored the manifest of ${ref.familiar} as ${served}, not ${digest}`, { details: { expected: digest, actual: served } });
  }
  progress.emit({ status: `${tag}: digest: ${digest} size: ${manifest.bytes.length}` });
  return { digest, size: manifest.bytes.length, mediaType: manifest.mediaType, tag };
}

/** A manifest given with the image must describe exactly that image. */
function checkManifest(bytes: Buffer, config: Descriptor, layers: readonly Descriptor[]): void {
  let doc: { config?: { digest?: unknown }; layers?: { digest?: unknown }[] };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch (cause) {
    throw new RegistryError('the manifest to push is not JSON', { cause });
  }
  const names = doc.layers?.map((l) => l.digest) ?? [];
  if (doc.config?.digest !== config.digest || names.length !== layers.length || names.some((d, i) => d !== layers[i]!.digest)) {
    throw new RegistryError('the manifest to push does not describe the image (config or layers differ)', { details: { config: config.digest } });
  }
}
