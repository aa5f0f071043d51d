/**
 * Content digests used by layers and images.
 *
 * - diffID: sha256 of a layer's uncompressed tar;
 * - chainID(L0..n) = sha256(chainID(L0..n-1) + " " + diffID(Ln)), chainID(L0) = diffID(L0);
 * - image ID: sha256 of the image config's bytes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** The diffID of the empty layer (an empty tar: 1024 zero bytes). */
export const EMPTY_LAYER_DIFF_ID =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The bare lower-case hex (no `sha256:` prefix) of a digest. */
export function digestHex(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7) : digest;
}

/** True when `value` is a well-formed `sha256:<64 hex>` digest. */
export function isSha256Digest(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * The chainID of a stack of layers given their diffIDs, bottom first.
 *
 * @example
 * ```ts
 * chainId([diffId0, diffId1]); // 'sha256:...'
 * ```
 */
export function chainId(diffIds: readonly string[]): string {
  if (diffIds.length === 0) throw new RangeError('chainId needs at least one diffID');
  let chain = diffIds[0]!;
  for (let i = 1; i < diffIds.length; i++) chain = sha256Digest(`${chain} ${diffIds[i]}`);
  return chain;
}

/**
 * A pass-through stream that hashes what flows through it, so a digest is known as soon as the
 * stream ends without a second pass over the bytes.
 */
export class HashingStream extends Transform {
  readonly #hash = createHash('sha256');
  #size = 0;
  #digest: string | undefined;

  /** Transform protocol: feeds the chunk to the hash and passes it on unchanged. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    callback(null, chunk);
  }

  /** Transform protocol: fixes the digest once every chunk has passed. */
  override _flush(callback: TransformCallback): void {
    this.#digest = `sha256:${this.#hash.digest('hex')}`;
    callback();
  }

  /** `sha256:<hex>` of everything that passed; throws before the stream has ended. */
  get digest(): string {
    if (this.#digest === undefined) throw new Error('HashingStream: digest read before the stream ended');
    return this.#digest;
  }

  /** Bytes that passed so far. */
  get size(): number {
    return this.#size;
  }
}
