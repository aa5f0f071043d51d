/**
 * Reading image archives: docker-archive (`docker save` before Docker 25) and OCI image layout
 * (including Docker 25's, which carries both `index.json` and `manifest.json`), optionally
 * compressed as a whole.
 *
 * Blobs may come before the manifests that name them, so every file of the archive is spooled
 * ({@link BlobSpool}: memory for small files, a temp dir for the rest) and interpreted once the
 * tar has ended. Every digest is checked: config bytes against the image ID (and against the
 * blob name in OCI), blobs against their digests, layers against the config's diffIDs (a gzip
 * or zstd layer blob is decoded once to check it). Paths in manifests are cleaned like tar
 * entry names and refused when they climb out of the archive.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { abortErrorFrom, InvalidArgumentError, StowageError, throwIfAborted } from '../../core/errors.js';
import { decompressStream, detectCompression } from '../compression.js';
import { isSha256Digest, sha256Digest } from '../digest.js';
import { LayerFormatError } from '../errors.js';
import { cleanEntryName, joinLayerPath, parentOf } from '../paths.js';
import { familiarRepoTag } from './refs.js';
import { BlobSpool, type SpooledBlob } from './spool.js';
import type { ArchiveImageInfo, ArchiveLayerInfo, ImageArchiveContents, ImageArchiveFormat, ReadImageArchiveOptions } from './types.js';

/** The files of an archive by cleaned path, with symlinks and hardlinks as aliases. */
interface ArchiveFiles {
  blobs: Map<string, SpooledBlob>;
  aliases: Map<string, string>;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

function bad(message: string, details: Record<string, unknown> = {}): InvalidArgumentError {
  return new InvalidArgumentError(`image archive: ${message}`, { details });
}

/** Resolves when a streamx writable wants more data or has closed (then nobody will drain it). */
function drainOrClose(stream: { once(event: string, fn: () => void): unknown; off(event: string, fn: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** Reads every file of the archive tar into the spool. */
async function spoolArchive(source: Readable | AsyncIterable<Uint8Array>, spool: BlobSpool, signal: AbortSignal | undefined): Promise<ArchiveFiles> {
  const files: ArchiveFiles = { blobs: new Map(), aliases: new Map() };
  const tar = decompressStream(source, signal ? { signal } : {});
  const ex = extract();
  let feedError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of tar) {
        if (ex.destroyed) break;
        if (!ex.write(chunk as Buffer)) await drainOrClose(ex);
      }
      // streamx's typings require an argument to end(); it accepts none at runtime.
      (ex as unknown as { end(): void }).end();
    } catch (error) {
      feedError = error;
      ex.destroy(error as Error);
    }
  })();
  try {
    for await (const entry of ex) {
      throwIfAborted(signal);
      const { name, type, linkname } = entry.header;
      const path = cleanEntryName(name);
      if (type === 'file' || type === 'contiguous-file') {
        files.blobs.set(path, await spool.add(entry as AsyncIterable<Uint8Array>, signal));
        continue;
      }
      if (type === 'symlink' || type === 'link') {
        // docker save links duplicate layer.tar files to the first copy.
        const target = linkname ?? '';
        let resolved: string;
        try {
          resolved = type === 'symlink' && !target.startsWith('/') ? cleanEntryName(joinLayerPath(parentOf(path), target)) : cleanEntryName(target);
        } catch (error) {
          throw new LayerFormatError('symlink-escape', name, 'archive link points outside the archive', { cause: error });
        }
        files.aliases.set(path, resolved);
      }
      for await (const _chunk of entry) {
        // directories and links carry no data worth keeping
      }
    }
  } catch (error) {
    // Stop the feeder too, or it would wait for a drain that never comes.
    ex.destroy(error as Error);
    tar.destroy();
    throw tarFormatError(feedError ?? error);
  } finally {
    await feeding;
  }
  if (feedError !== undefined) throw tarFormatError(feedError);
  return files;
}

/**
 * tar-stream's own failures (bytes that are not a tar, a tar that stops early) as the
 * LayerFormatError every other tar reader here throws; Stowage's errors pass unchanged.
 */
function tarFormatError(error: unknown): unknown {
  if (error instanceof StowageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const reason = /unexpected end of data/i.test(message) ? 'truncated' : 'bad-entry';
  return new LayerFormatError(reason, '', `unreadable archive (${message})`, { cause: error });
}

/** Looks a path up, following link aliases (a bounded number of times). */
function lookup(files: ArchiveFiles, rawPath: string, what: string): SpooledBlob {
  let path: string;
  try {
    path = cleanEntryName(rawPath);
  } catch (error) {
    throw new LayerFormatError('path-escape', rawPath, `${what} path climbs out of the archive`, { cause: error });
  }
  for (let hops = 0; hops < 16; hops++) {
    const blob = files.blobs.get(path);
    if (blob !== undefined) return blob;
    const next = files.aliases.get(path);
    if (next === undefined) break;
    path = next;
  }
  throw bad(`${what} ${JSON.stringify(rawPath)} is missing`, { path: rawPath });
}

async function readJson<T>(spool: BlobSpool, blob: SpooledBlob, what: string): Promise<T> {
  if (blob.size > 64 * 1024 * 1024) throw bad(`${what} is too large`);
  const chunks: Buffer[] = [];
  for await (const chunk of spool.open(blob)) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (error) {
    throw new InvalidArgumentError(`image archive: ${what} is not JSON`, { cause: error });
  }
}

async function readBytes(spool: BlobSpool, blob: SpooledBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of spool.open(blob)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A layer from a blob: verified against its diffID (decoding compressed blobs once to check). */
async function layerFrom(spool: BlobSpool, blob: SpooledBlob, diffId: string, signal: AbortSignal | undefined): Promise<ArchiveLayerInfo> {
  const head = await firstBytes(spool, blob);
  const compressed = detectCompression(head) !== 'none';
  let size = blob.size;
  if (compressed) {
    const hash = createHash('sha256');
    size = 0;
    for await (const chunk of decompressStream(spool.open(blob), signal ? { signal } : {})) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    if (`sha256:${hash.digest('hex')}` !== diffId) throw bad(`layer does not match its diffID ${diffId}`, { diffId });
  } else if (`sha256:${blob.hex}` !== diffId) {
    throw bad(`layer does not match its diffID ${diffId}`, { diffId });
  }
  return {
    diffId,
    size,
    open: () => (compressed ? decompressStream(spool.open(blob)) : spool.open(blob)),
    ...(!compressed && blob.file !== undefined ? { file: blob.file } : {}),
  };
}

async function firstBytes(spool: BlobSpool, blob: SpooledBlob): Promise<Buffer> {
  if (blob.bytes !== undefined) return blob.bytes.subarray(0, 6);
  const stream = spool.open(blob);
  try {
    for await (const chunk of stream) return (chunk as Buffer).subarray(0, 6);
    return Buffer.alloc(0);
  } finally {
    stream.destroy();
  }
}

function diffIdsOf(config: Buffer, id: string): string[] {
  let parsed: { rootfs?: { diff_ids?: unknown } };
  try {
    parsed = JSON.parse(config.toString('utf8')) as typeof parsed;
  } catch (error) {
    throw new InvalidArgumentError(`image archive: config of ${id} is not JSON`, { cause: error });
  }
  const diffIds = parsed.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d): d is string => typeof d === 'string' && isSha256Digest(d))) {
    throw bad(`config of ${id} has malformed rootfs.diff_ids`, { id });
  }
  return diffIds;
}

/** docker-archive (and Docker 25 OCI saves): manifest.json names configs and layer files. */
async function readDockerManifest(spool: BlobSpool, files: ArchiveFiles, signal: AbortSignal | undefined): Promise<ArchiveImageInfo[]> {
  const manifest = await readJson<unknown>(spool, lookup(files, 'manifest.json', 'manifest'), 'manifest.json');
  if (!Array.isArray(manifest)) throw bad('manifest.json is not a list');
  const images: ArchiveImageInfo[] = [];
  for (const item of manifest as { Config?: unknown; RepoTags?: unknown; Layers?: unknown }[]) {
    if (typeof item.Config !== 'string' || !Array.isArray(item.Layers)) throw bad('manifest.json entry lacks Config or Layers');
    const configBlob = lookup(files, item.Config, 'config');
    const config = await readBytes(spool, configBlob);
    const id = sha256Digest(config);
    // A config stored under a digest name (`<hex>.json`, `blobs/sha256/<hex>`) must match it.
    const named = /([0-9a-f]{64})(\.json)?$/.exec(item.Config)?.[1];
    if (named !== undefined && `sha256:${named}` !== id) throw bad(`config ${item.Config} does not match its name`, { path: item.Config });
    // Resolve (and so path-check) every layer before anything else is judged.
    const blobs = (item.Layers as unknown[]).map((path) => {
      if (typeof path !== 'string') throw bad('manifest.json layer path is not a string');
      const blob = lookup(files, path, 'layer');
      const blobName = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(cleanEntryName(path))?.[1];
      if (blobName !== undefined && blobName !== blob.hex) throw bad(`blob ${path} does not match its digest`, { path });
      return blob;
    });
    const diffIds = diffIdsOf(config, id);
    if (diffIds.length !== blobs.length) throw bad(`image ${id}: ${blobs.length} layers for ${diffIds.length} diffIDs`, { id });
    const layers: ArchiveLayerInfo[] = [];
    for (const [i, blob] of blobs.entries()) layers.push(await layerFrom(spool, blob, diffIds[i]!, signal));
    const repoTags = Array.isArray(item.RepoTags) ? item.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    images.push({ config, id, repoTags, layers });
  }
  return images;
}

/** A blob of an OCI layout by digest, verified. */
function ociBlob(files: ArchiveFiles, descriptor: Descriptor): SpooledBlob {
  if (typeof descriptor.digest !== 'string' || !isSha256Digest(descriptor.digest)) throw bad('descriptor with a malformed digest');
  const blob = lookup(files, `blobs/sha256/${descriptor.digest.slice(7)}`, 'blob');
  if (`sha256:${blob.hex}` !== descriptor.digest) throw bad(`blob ${descriptor.digest} does not match its digest`, { digest: descriptor.digest });
  return blob;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** OCI layout without manifest.json: index.json, possibly nested indexes, then manifests. */
async function readOciIndex(spool: BlobSpool, files: ArchiveFiles, signal: AbortSignal | undefined): Promise<ArchiveImageInfo[]> {
  const byManifest = new Map<string, { descriptor: Descriptor; tags: string[] }>();
  const visit = async (descriptors: Descriptor[], depth: number, tags: string[]): Promise<void> => {
    const images = descriptors.filter((d) => !d.mediaType?.includes('index') && !d.mediaType?.includes('manifest.list'));
    const nested = descriptors.filter((d) => d.mediaType?.includes('index') || d.mediaType?.includes('manifest.list'));
    // In a multi-platform index keep this machine's platform (or the first linux one).
    const withPlatform = images.filter((d) => d.platform !== undefined);
    const chosen = withPlatform.length === 0 ? images : [withPlatform.find((d) => d.platform?.os === 'linux' && d.platform.architecture === GOARCH[process.arch]) ?? withPlatform[0]!];
    for (const d of chosen) {
      const own = [...tags];
      const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
      if (name !== undefined && /[:/]/.test(name)) own.push(familiarRepoTag(name));
      const seen = byManifest.get(d.digest) ?? { descriptor: d, tags: [] };
      for (const t of own) if (!seen.tags.includes(t)) seen.tags.push(t);
      byManifest.set(d.digest, seen);
    }
    for (const d of nested) {
      if (depth > 4) throw bad('OCI indexes nested too deeply');
      const inner = await readJson<{ manifests?: Descriptor[] }>(spool, ociBlob(files, d), `index ${d.digest}`);
      const name = d.annotations?.['io.containerd.image.name'];
      await visit(inner.manifests ?? [], depth + 1, name !== undefined ? [familiarRepoTag(name)] : []);
    }
  };
  const index = await readJson<{ manifests?: Descriptor[] }>(spool, lookup(files, 'index.json', 'index'), 'index.json');
  await visit(index.manifests ?? [], 0, []);
  const images: ArchiveImageInfo[] = [];
  for (const { descriptor, tags } of byManifest.values()) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    const manifest = await readJson<{ config?: Descriptor; layers?: Descriptor[] }>(spool, ociBlob(files, descriptor), `manifest ${descriptor.digest}`);
    if (manifest.config === undefined) throw bad(`manifest ${descriptor.digest} has no config`);
    const config = await readBytes(spool, ociBlob(files, manifest.config));
    const id = sha256Digest(config);
    const diffIds = diffIdsOf(config, id);
    const layerDescriptors = manifest.layers ?? [];
    if (diffIds.length !== layerDescriptors.length) throw bad(`image ${id}: ${layerDescriptors.length} layers for ${diffIds.length} diffIDs`, { id });
    const layers: ArchiveLayerInfo[] = [];
    for (const [i, d] of layerDescriptors.entries()) layers.push(await layerFrom(spool, ociBlob(files, d), diffIds[i]!, signal));
    images.push({ config, id, repoTags: tags, layers });
  }
  return images;
}

/**
 * Reads a docker-archive or OCI image layout tar (plain, gzip, bzip2, xz or zstd) and verifies
 * every digest. Dispose the result (or `await using` it) to delete the spooled blobs.
 *
 * @throws InvalidArgumentError for a malformed archive or a digest mismatch
 * @throws LayerFormatError for a path that climbs out of the archive
 * @throws AbortError when `signal` fires
 * @example
 * ```ts
 * await using archive = await readImageArchive(createReadStream('busybox.tar'));
 * for (const image of archive.images) console.log(image.id, image.repoTags);
 * ```
 */
export async function readImageArchive(
  source: Readable | AsyncIterable<Uint8Array>,
  options: ReadImageArchiveOptions = {},
): Promise<ImageArchiveContents> {
  const { signal } = options;
  throwIfAborted(signal);
  const spool = new BlobSpool(options.spoolDir);
  try {
    const files = await spoolArchive(source, spool, signal);
    const has = (path: string): boolean => files.blobs.has(path) || files.aliases.has(path);
    const oci = has('oci-layout') && has('index.json');
    if (!oci && !has('manifest.json')) throw bad('neither manifest.json nor an OCI index.json found');
    const format: ImageArchiveFormat = oci ? 'oci' : 'docker';
    // Docker 25 OCI saves carry manifest.json with familiar tags: prefer it when present.
    const images = has('manifest.json') ? await readDockerManifest(spool, files, signal) : await readOciIndex(spool, files, signal);
    let disposed = false;
    const dispose = async (): Promise<void> => {
      if (disposed) return;
      disposed = true;
      await spool.dispose();
    };
    return { format, images, dispose, [Symbol.asyncDispose]: dispose };
  } catch (error) {
    await spool.dispose();
    if (signal?.aborted) throw abortErrorFrom(signal);
    throw error;
  }
}
