/**
 * What a backend gives the registry client: a {@link BlobSink} to pull into and a
 * {@link BlobSource} to push from. The client does the protocol (manifests, auth, platform
 * choice, parallel transfers, progress, digest checks); the backend decides where bytes live.
 *
 * The emulator keeps blobs in memory. A backend with a disk store (native) implements the same
 * two interfaces over files:
 *
 * ```ts
 * const sink: BlobSink = {
 *   has: async (digest) => exists(`blobs/sha256/${hex(digest)}`),
 *   write: async (blob, body, { signal }) => {
 *     // Stream to a temporary name, never holding the layer in memory; unpack as it arrives.
 *     const tmp = `blobs/tmp/${randomUUID()}`;
 *     await pipeline(body, createWriteStream(tmp), { signal });   // rejects on a bad digest
 *     // ... check the unpacked tar's sha256 against blob.diffId ...
 *     await fsyncAndRename(tmp, `blobs/sha256/${hex(blob.digest)}`);   // only now it "exists"
 *   },
 * };
 * const { config, manifest, layers } = await client.pull(ref, sink, { signal });
 * // then write config and manifest, and record the image: the pull is complete.
 * ```
 *
 * @module
 */
import type { Readable } from 'node:stream';

/** A blob the client is about to hand to a {@link BlobSink}. */
export interface IncomingBlob {
  /** Digest of the bytes as they will arrive (compressed, for a layer). */
  digest: string;
  /** Their length. */
  size: number;
  /** Media type (`application/vnd.docker.image.rootfs.diff.tar.gzip`...). */
  mediaType: string;
  /**
   * For a layer: the image config's diffID for it, the sha256 of the uncompressed tar. A sink
   * that unpacks the layer must check it and reject with DigestMismatchError when it differs.
   */
  diffId?: string;
  /** Where it came from: a later push to another repository of that registry can mount it. */
  origin: BlobOrigin;
}

/** A repository of a registry (`127.0.0.1:5000`, `team/app`). */
export interface BlobOrigin {
  /** The registry's name as references spell it. */
  registry: string;
  /** The repository path in it. */
  repository: string;
}

/** Options of every {@link BlobSink} and {@link BlobSource} call. */
export interface BlobCallOptions {
  /** Cancels the call; a write in progress must then discard what it wrote. */
  signal?: AbortSignal | undefined;
}

/**
 * Where a pull stores layer blobs. Contract:
 *
 * - `has(digest)` is true only for a blob that was written completely and verified: the
 *   client skips it (Docker's `Already exists`);
 * - `write(blob, body)` consumes `body` to its end. The client verifies size and digest while
 *   streaming: a mismatch or a dropped connection makes `body` fail instead of ending, and the
 *   sink must then keep nothing under that digest (write to a temporary place, commit on a
 *   clean end). Layers are written in parallel; the same digest is written at most once per
 *   pull;
 * - the image config and manifest are not written here: `pull()` resolves with their bytes and
 *   the backend records the image after all its layers, so an interrupted pull never leaves
 *   something that looks like a complete image.
 */
export interface BlobSink {
  /** True when the blob is stored, complete and verified. */
  has(digest: string, options?: BlobCallOptions): Promise<boolean>;
  /** Stores a blob from a stream that fails rather than ends when the bytes are wrong. */
  write(blob: IncomingBlob, body: Readable, options?: BlobCallOptions): Promise<void>;
}

/** Where a push reads blobs from: the layer blobs (compressed) of the image being pushed. */
export interface BlobSource {
  /** The bytes of a blob the image's description named; the client checks them on the way. */
  read(digest: string, options?: BlobCallOptions): Promise<Readable>;
}
