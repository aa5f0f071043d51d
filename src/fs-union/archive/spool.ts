/**
 * Spooling of archive blobs: archives may put blobs before the manifest that says what they
 * are, so every blob is kept until the whole archive has been read. Small blobs (configs,
 * manifests) stay in memory; larger ones go to a temp directory, hashed on the way.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { abortErrorFrom, InvalidArgumentError } from '../../core/errors.js';

/** Blobs up to this size are held in memory. */
export const MEMORY_THRESHOLD = 1024 * 1024;

/** A stored blob: its sha256 and size, its bytes in memory or in a spool file. */
export interface SpooledBlob {
  /** Lower-case sha256 hex of the bytes. */
  hex: string;
  /** Byte length. */
  size: number;
  /** The bytes, for small blobs. */
  bytes?: Buffer;
  /** The spool file, for large blobs. */
  file?: string;
}

/** A temp store of blobs, removed by {@link BlobSpool.dispose}. */
export class BlobSpool {
  readonly #parent: string;
  #dir: string | undefined;
  #count = 0;
  #disposed = false;

  /** @param parent directory the spool's temp dir is made in (default: the OS temp dir) */
  constructor(parent?: string) {
    this.#parent = parent ?? tmpdir();
  }

  /** Reads a blob to its end, keeping it in memory or spooling it to a file. */
  async add(source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<SpooledBlob> {
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let size = 0;
    let out: ReturnType<typeof createWriteStream> | undefined;
    let file: string | undefined;
    try {
      for await (const input of source) {
        if (signal?.aborted) throw abortErrorFrom(signal);
        const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
        hash.update(chunk);
        size += chunk.length;
        if (out === undefined) {
          head.push(Buffer.from(chunk));
          if (size <= MEMORY_THRESHOLD) continue;
          file = await this.#newFile();
          out = createWriteStream(file);
          for (const part of head.splice(0)) if (!out.write(part)) await once(out, 'drain');
        } else if (!out.write(chunk)) {
          await once(out, 'drain');
        }
      }
      if (out !== undefined) {
        out.end();
        await once(out, 'finish');
        return { hex: hash.digest('hex'), size, file: file! };
      }
      return { hex: hash.digest('hex'), size, bytes: Buffer.concat(head) };
    } catch (error) {
      out?.destroy();
      throw error;
    }
  }

  /** Opens a stored blob for reading. */
  open(blob: SpooledBlob): Readable {
    if (this.#disposed) throw new InvalidArgumentError('the image archive has been disposed');
    if (blob.bytes !== undefined) return Readable.from([blob.bytes]);
    return createReadStream(blob.file!, { highWaterMark: 1 << 20 });
  }

  /** Removes the spool directory. Safe to call twice. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  async #newFile(): Promise<string> {
    if (this.#dir === undefined) {
      await mkdir(this.#parent, { recursive: true });
      this.#dir = await mkdtemp(join(this.#parent, 'stowage-archive-'));
    }
    return join(this.#dir, `blob-${this.#count++}`);
  }
}
