/**
 * The emulator's side of the registry client: blobs in memory.
 *
 * Pulled layers are held weakly by blob digest: while an image uses a layer, a second pull
 * finds it (`Already exists`); once no image does, the garbage collector takes it with its
 * blob. A pull pins what it found or wrote in a {@link PullSession} until it has registered
 * its image, so nothing is collected half-way. Layers made here (commit, import, build) are
 * gzipped on their first push and the blob is kept with the layer, so a second push sends the
 * same digest.
 *
 * @module
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DigestMismatchError, throwIfAborted } from '../../../core/errors.js';
import { decompressStream } from '../../../fs-union/compression.js';
import { sha256Digest } from '../../../fs-union/digest.js';
import type { Layer } from '../../../fs-union/layer.js';
import { readLayerTar } from '../../../fs-union/tar-reader.js';
import type { BlobCallOptions, BlobSink, BlobSource, IncomingBlob } from '../../../registry/blob-store.js';
import type { PushImage, PushLayer } from '../../../registry/push.js';
import { PulledLayer, type HeldBlob } from './pulled-layer.js';

const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** What a pull needs from the store: a sink, and the layers it ended up with. */
export interface PullSession extends BlobSink {
  /** The layer stored (or found) under a blob digest during this session. */
  layer(digest: string): PulledLayer | undefined;
}

/** Layer blobs of one emulated engine. */
export class EmulatorBlobStore {
  readonly #pulled = new Map<string, WeakRef<PulledLayer>>();
  readonly #finalizer = new FinalizationRegistry<string>((digest) => {
    if (this.#pulled.get(digest)?.deref() === undefined) this.#pulled.delete(digest);
  });
  /** Blobs made for pushes of layers that were not pulled. */
  readonly #made = new WeakMap<Layer, Promise<HeldBlob>>();

  /** A sink for one pull. */
  session(): PullSession {
    const pinned = new Map<string, PulledLayer>();
    return {
      has: async (digest) => {
        const found = this.#pulled.get(digest)?.deref();
        if (found) pinned.set(digest, found);
        return found !== undefined;
      },
      write: async (blob, body, options) => {
        const layer = await this.#receive(blob, body, options);
        pinned.set(blob.digest, layer);
      },
      layer: (digest) => pinned.get(digest),
    };
  }

  /** Reads a layer blob while it arrives: kept as received, and unpacked to check its diffID. */
  async #receive(blob: IncomingBlob, body: Readable, options: BlobCallOptions = {}): Promise<PulledLayer> {
    throwIfAborted(options.signal);
    const signalOpts = options.signal ? { signal: options.signal } : {};
    const chunks: Buffer[] = [];
    const tee = new PassThrough();
    const keep = async (): Promise<void> => {
      try {
        for await (const chunk of body) {
          chunks.push(chunk as Buffer);
          if (!tee.write(chunk)) await drained(tee);
          // The unpacking failed and closed the tee: its error is the one reported.
          if (tee.destroyed) return;
        }
        tee.end();
      } catch (error) {
        // A wrong digest or a dropped connection: the unpacking must fail too.
        tee.destroy(error as Error);
        throw error;
      }
    };
    // Both must succeed: the tar may be complete before the download's digest check has run.
    const unpack = readLayerTar(decompressStream(tee, signalOpts), signalOpts).catch((error: unknown) => {
      tee.destroy();
      throw error;
    });
    const [, read] = await Promise.all([keep(), unpack]);
    if (blob.diffId !== undefined && read.digest !== blob.diffId) {
      throw new DigestMismatchError(`layer ${blob.digest}: its uncompressed content is ${read.digest}, not the ${blob.diffId} the image config names`, {
        details: { expected: blob.diffId, actual: read.digest, digest: blob.digest },
      });
    }
    const existing = this.#pulled.get(blob.digest)?.deref();
    if (existing) {
      existing.addOrigin(blob.origin);
      return existing;
    }
    const layer = new PulledLayer(read.parts, read.digest, { digest: blob.digest, mediaType: blob.mediaType, size: blob.size, chunks });
    layer.addOrigin(blob.origin);
    this.#pulled.set(blob.digest, new WeakRef(layer));
    this.#finalizer.register(layer, blob.digest);
    return layer;
  }

  /**
   * The push description of an image's layers and a source for their blobs: a pulled layer's
   * own blob, or a gzip of the layer's tar made once per layer.
   */
  async pushable(layers: readonly Layer[], config: Buffer, signal?: AbortSignal): Promise<{ image: PushImage; source: BlobSource }> {
    const blobs = new Map<string, HeldBlob>();
    const pushLayers: PushLayer[] = [];
    for (const layer of layers) {
      throwIfAborted(signal);
      const blob = layer instanceof PulledLayer ? layer.blob : await this.#gzipOf(layer, signal);
      blobs.set(blob.digest, blob);
      pushLayers.push({
        digest: blob.digest,
        size: blob.size,
        mediaType: blob.mediaType,
        diffId: layer.diffId,
        ...(layer instanceof PulledLayer ? { mountFrom: [...layer.origins] } : {}),
      });
    }
    const source: BlobSource = {
      read: async (digest) => Readable.from(blobs.get(digest)?.chunks ?? []),
    };
    return { image: { config: { bytes: config }, layers: pushLayers }, source };
  }

  /** The gzip blob of a layer made here (memoised: the same layer pushes the same digest). */
  #gzipOf(layer: Layer, signal: AbortSignal | undefined): Promise<HeldBlob> {
    let made = this.#made.get(layer);
    if (!made) {
      made = gzipLayer(layer, signal);
      this.#made.set(layer, made);
      // A failed or aborted compression is tried again next time.
      made.catch(() => this.#made.delete(layer));
    }
    return made;
  }
}

/** Resolves when a full stream drains, or closes (then nothing will read it any more). */
function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function gzipLayer(layer: Layer, signal: AbortSignal | undefined): Promise<HeldBlob> {
  const chunks: Buffer[] = [];
  const sink: Writable = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  // The signal goes to the tar writer only (it stops between entries and errors the stream,
  // which fails the pipeline): pipeline's own signal option destroys the streams with an
  // AbortError one of them then re-emits after the pipeline let go, an uncaught exception.
  await pipeline(layer.toTar(signal ? { signal } : {}), createGzip(), sink);
  const all = Buffer.concat(chunks);
  return { digest: sha256Digest(all), mediaType: DOCKER_LAYER_GZIP, size: all.length, chunks: [all] };
}
