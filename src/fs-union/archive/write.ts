/**
 * Writing image archives that a real `docker load` reads.
 *
 * - `docker`: `<diffID hex>/layer.tar`, `<image ID hex>.json`, `manifest.json`, `repositories`
 *   (the docker-archive format of `docker save` before Docker 25);
 * - `oci`: `oci-layout`, `index.json` and `blobs/sha256/<hex>` (uncompressed layer blobs, so a
 *   layer's blob digest is its diffID), plus `manifest.json` and `repositories` pointing at the
 *   same blobs, as Docker 25 writes it, so Engine 20.10 (which only reads manifest.json) loads
 *   it too.
 *
 * Layers are streamed, one at a time, straight from `open()` into the archive when their size
 * is known; a layer without a size is spooled to a temp file first (a tar header needs the size
 * before the data). A layer shared by several images is written once. Output is deterministic.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { abortErrorFrom, InvalidArgumentError } from '../../core/errors.js';
import { digestHex, isSha256Digest, sha256Digest } from '../digest.js';
import { BLOCK, entryHeaderBlocks, paddedSize } from '../host/tar-blocks.js';
import { fullRepoTag, splitRepoTag } from './refs.js';
import { BlobSpool } from './spool.js';
import type { ArchiveImage, ArchiveLayerSource, WriteImageArchiveOptions } from './types.js';

/** OCI media types used in what we write. */
export const MEDIA_TYPES = {
  /** The image index (`index.json`). */
  index: 'application/vnd.oci.image.index.v1+json',
  /** An image manifest blob. */
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  /** An image config blob. */
  config: 'application/vnd.oci.image.config.v1+json',
  /** An uncompressed layer tar blob. */
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

function fileEntry(name: string, data: Buffer): Buffer {
  const header = entryHeaderBlocks({ name, type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: data.length });
  return Buffer.concat([header, data, Buffer.alloc(paddedSize(data.length) - data.length)]);
}

function dirEntry(name: string): Buffer {
  return entryHeaderBlocks({ name: `${name}/`, type: '5', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0 });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Checks what can be checked before the first byte goes out. */
function validate(images: readonly ArchiveImage[]): void {
  images.forEach((image, i) => {
    let config: { rootfs?: { diff_ids?: unknown } };
    try {
      config = JSON.parse(image.config.toString('utf8')) as typeof config;
    } catch (error) {
      throw new InvalidArgumentError(`image ${i}: config is not JSON`, { details: { path: `images.${i}.config` }, cause: error });
    }
    image.layers.forEach((layer, j) => {
      if (!isSha256Digest(layer.diffId)) {
        throw new InvalidArgumentError(`image ${i}: layer ${j} has a malformed diffId`, { details: { path: `images.${i}.layers.${j}.diffId` } });
      }
    });
    const diffIds = config.rootfs?.diff_ids;
    if (Array.isArray(diffIds) && JSON.stringify(diffIds) !== JSON.stringify(image.layers.map((l) => l.diffId))) {
      throw new InvalidArgumentError(`image ${i}: layers do not match the config's rootfs.diff_ids`, { details: { path: `images.${i}.layers` } });
    }
    image.repoTags.forEach((tag) => splitRepoTag(tag));
  });
}

/**
 * Streams images as a docker-archive or OCI image layout tar.
 *
 * Errors (a layer whose bytes do not match its diffID or size: `InvalidArgumentError`; abort:
 * `AbortError`) are the stream's `error` event.
 *
 * @example
 * ```ts
 * const tar = writeImageArchive([{ config, layers: [{ diffId, open: () => createReadStream(path) }], repoTags: ['app:1'] }], { format: 'oci' });
 * await pipeline(tar, createWriteStream('app.tar'));   // then: docker load -i app.tar
 * ```
 */
export function writeImageArchive(images: ArchiveImage[], options: WriteImageArchiveOptions): Readable {
  return Readable.from(generateArchive(images, options), { objectMode: false });
}

async function* generateArchive(images: ArchiveImage[], options: WriteImageArchiveOptions): AsyncGenerator<Buffer> {
  const { format, signal } = options;
  if (signal?.aborted) throw abortErrorFrom(signal);
  validate(images);
  const spool = new BlobSpool(options.spoolDir);
  try {
    const layerPath = (diffId: string): string => (format === 'docker' ? `${digestHex(diffId)}/layer.tar` : `blobs/sha256/${digestHex(diffId)}`);
    const configPath = (id: string): string => (format === 'docker' ? `${digestHex(id)}.json` : `blobs/sha256/${digestHex(id)}`);
    if (format === 'oci') {
      yield fileEntry('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
      yield dirEntry('blobs');
      yield dirEntry('blobs/sha256');
    }
    const layerSizes = new Map<string, number>();
    for (const image of images) {
      for (const layer of image.layers) {
        if (layerSizes.has(layer.diffId)) continue;
        if (format === 'docker') yield dirEntry(digestHex(layer.diffId));
        const size = yield* layerEntry(layerPath(layer.diffId), layer, spool, signal);
        layerSizes.set(layer.diffId, size);
      }
    }
    const written = new Set<string>();
    const manifestJson: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] = [];
    for (const image of images) {
      const id = sha256Digest(image.config);
      if (!written.has(id)) {
        written.add(id);
        yield fileEntry(configPath(id), image.config);
      }
      manifestJson.push({ Config: configPath(id), RepoTags: image.repoTags, Layers: image.layers.map((l) => layerPath(l.diffId)) });
      const top = image.layers.at(-1);
      for (const repoTag of image.repoTags) {
        const { repo, tag } = splitRepoTag(repoTag);
        if (top !== undefined) (repositories[repo] ??= {})[tag] = digestHex(top.diffId);
      }
      if (format === 'oci') {
        const manifest = json({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.manifest,
          config: { mediaType: MEDIA_TYPES.config, digest: id, size: image.config.length },
          layers: image.layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, digest: l.diffId, size: layerSizes.get(l.diffId)! })),
        });
        const digest = sha256Digest(manifest);
        if (!written.has(digest)) {
          written.add(digest);
          yield fileEntry(`blobs/sha256/${digestHex(digest)}`, manifest);
        }
        const descriptor = { mediaType: MEDIA_TYPES.manifest, digest, size: manifest.length };
        if (image.repoTags.length === 0) index.push(descriptor);
        for (const repoTag of image.repoTags) {
          index.push({
            ...descriptor,
            annotations: { 'io.containerd.image.name': fullRepoTag(repoTag), 'org.opencontainers.image.ref.name': splitRepoTag(repoTag).tag },
          });
        }
      }
    }
    if (format === 'oci') yield fileEntry('index.json', json({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: index }));
    yield fileEntry('manifest.json', json(manifestJson));
    if (Object.keys(repositories).length > 0) yield fileEntry('repositories', json(repositories));
    yield END_OF_ARCHIVE;
  } finally {
    await spool.dispose();
  }
}

/** Writes one layer entry, checking its bytes against its diffID; returns its size. */
async function* layerEntry(
  path: string,
  layer: ArchiveLayerSource,
  spool: BlobSpool,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer, number> {
  const mismatch = (what: string): InvalidArgumentError =>
    new InvalidArgumentError(`layer ${layer.diffId}: ${what}`, { details: { diffId: layer.diffId } });
  let size = layer.size;
  let source: AsyncIterable<Uint8Array> = layer.open();
  if (size === undefined) {
    // A tar header needs the size first: spool the layer, which also checks its digest early.
    const blob = await spool.add(source, signal);
    if (`sha256:${blob.hex}` !== layer.diffId) throw mismatch(`content digest is sha256:${blob.hex}`);
    size = blob.size;
    source = spool.open(blob);
  }
  yield entryHeaderBlocks({ name: path, type: '0', mode: 0o644, uid: 0, gid: 0, mtime: 0, size });
  const hash = createHash('sha256');
  let seen = 0;
  for await (const input of source) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    seen += chunk.length;
    if (seen > size) throw mismatch(`longer than its declared size ${size}`);
    hash.update(chunk);
    yield chunk;
  }
  if (seen !== size) throw mismatch(`${seen} bytes, declared size ${size}`);
  if (`sha256:${hash.digest('hex')}` !== layer.diffId) throw mismatch('content does not match its diffId');
  const padding = paddedSize(size) - size;
  if (padding > 0) yield Buffer.alloc(padding);
  return size;
}
