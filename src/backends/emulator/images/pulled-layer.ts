/**
 * A layer pulled from a registry, kept with the blob it came in.
 *
 * Its entries are parsed like any layer's, but its tar is the registry's own bytes (the blob,
 * decompressed), not a re-serialisation: those are the bytes the image config's diffID names,
 * so `save()` writes an archive a real `docker load` accepts under the same image ID, and a push
 * sends the very blob that was pulled (same digests, and a cross-repository mount is possible).
 *
 * @module
 */
import { Readable } from 'node:stream';
import { decompressStream } from '../../../fs-union/compression.js';
import { Layer, type LayerParts, type LayerSignalOptions } from '../../../fs-union/layer.js';
import type { BlobOrigin } from '../../../registry/blob-store.js';

/** A registry blob held in memory. */
export interface HeldBlob {
  /** Its digest (compressed bytes). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Its size. */
  readonly size: number;
  /** The bytes, in the chunks they arrived in. */
  readonly chunks: readonly Buffer[];
}

/**
 * A layer whose tar is the decompressed registry blob. `canonical` holds in the sense the
 * Layer class defines it: `sha256(toTar())` is `diffId`.
 */
export class PulledLayer extends Layer {
  /** The blob it was pulled as. */
  readonly blob: HeldBlob;
  /** Repositories the blob is known to be in (mount candidates for a push). */
  readonly origins: BlobOrigin[] = [];

  /** Assembles a pulled layer from its parsed entries and its blob. */
  constructor(parts: LayerParts, diffId: string, blob: HeldBlob) {
    super(parts, diffId, true);
    this.blob = blob;
  }

  /** Records another repository holding the blob. */
  addOrigin(origin: BlobOrigin): void {
    if (!this.origins.some((o) => o.registry === origin.registry && o.repository === origin.repository)) this.origins.push(origin);
  }

  /** The registry's tar bytes (the blob, decompressed). */
  override toTar(options: LayerSignalOptions = {}): Readable {
    return decompressStream(Readable.from(this.blob.chunks), options);
  }
}
