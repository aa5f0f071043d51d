/**
 * Content-addressed blobs on disk: layer tars named by their diffID and image configs named by
 * their image ID. A blob is written to a temp file while it is hashed, fsynced, checked against
 * the digest it was announced with, and only then renamed into `blobs/sha256/<hex>`: a name in
 * the store always holds bytes with that digest.
 *
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, throwIfAborted } from '../../../core/errors.js';
import { HashingStream, sha256Digest } from '../../../fs-union/index.js';
import { syncDirectory, writeFileAtomic } from '../state/atomic-file.js';
import type { NativePaths } from '../paths.js';

/** A stored blob. */
export interface StoredBlob {
  /** `sha256:<hex>`. */
  digest: string;
  /** Byte length. */
  size: number;
}

/** The blobs of one state root. */
export class BlobStore {
  readonly #paths: NativePaths;

  constructor(paths: NativePaths) {
    this.#paths = paths;
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await mkdir(this.#paths.blobs, { recursive: true });
    await mkdir(this.#paths.tmp, { recursive: true });
  }

  /** Path of a blob (which may not exist). */
  path(digest: string): string {
    return this.#paths.blob(digest);
  }

  /** The blob's size, or undefined when the store lacks it. */
  async size(digest: string): Promise<number | undefined> {
    const info = await stat(this.path(digest)).catch(() => undefined);
    return info?.size;
  }

  /** Opens a blob for reading. @throws NotFoundError when it is not stored */
  async open(digest: string): Promise<Readable> {
    const path = this.path(digest);
    if ((await this.size(digest)) === undefined) throw new NotFoundError(`blob not found: ${digest}`, { details: { digest } });
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  }

  /**
   * This process's own staging directory under `tmp/` (`p<PID>-<random>`), made on first use;
   * recovery deletes the ones whose process is gone, whatever is in them.
   */
  async tempDir(): Promise<string> {
    this.#tempDir ??= (async () => {
      const dir = join(this.#paths.tmp, `p${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(dir, { recursive: true });
      return dir;
    })();
    return this.#tempDir;
  }

  #tempDir: Promise<string> | undefined;

  /** A fresh temp path in {@link tempDir}. */
  async tempPath(label: string): Promise<string> {
    return join(await this.tempDir(), `${label}-${randomBytes(6).toString('hex')}`);
  }

  /**
   * Stores a stream as a blob. With `expected`, a stream of another digest is refused
   * (InvalidArgumentError) and nothing is kept.
   */
  async putStream(source: Readable | AsyncIterable<Uint8Array>, options: { expected?: string; signal?: AbortSignal } = {}): Promise<StoredBlob> {
    throwIfAborted(options.signal);
    const temp = await this.tempPath('blob');
    const hashing = new HashingStream();
    try {
      const out = createWriteStream(temp, { flags: 'wx', highWaterMark: 1024 * 1024 });
      await pipeline(source, hashing, out, options.signal ? { signal: options.signal } : {});
      const digest = hashing.digest;
      if (options.expected !== undefined && options.expected !== digest) {
        throw new InvalidArgumentError(`blob digest mismatch: expected ${options.expected}, got ${digest}`, {
          details: { expected: options.expected, actual: digest },
        });
      }
      await this.#commit(temp, digest);
      return { digest, size: hashing.size };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /**
   * Takes a file whose digest the caller has verified (a spooled archive layer on this
   * filesystem) into the store by renaming it: no copy. The file is fsynced first.
   */
  async adoptFile(path: string, digest: string): Promise<StoredBlob> {
    const size = await this.size(digest);
    if (size !== undefined) return { digest, size };
    await this.#commit(path, digest);
    return { digest, size: (await this.size(digest))! };
  }

  /** Stores bytes as a blob (configs). */
  async putBytes(data: Uint8Array): Promise<StoredBlob> {
    const digest = sha256Digest(data);
    if ((await this.size(digest)) === undefined) await writeFileAtomic(this.path(digest), data, { mode: 0o644 });
    return { digest, size: data.length };
  }

  /** fsyncs the temp file and renames it into place (a blob already there is kept). */
  async #commit(temp: string, digest: string): Promise<void> {
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path(digest));
    await syncDirectory(this.#paths.blobs);
  }

  /** Reads a small blob (a config) whole. */
  async readBytes(digest: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(digest)) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    if (sha256Digest(data) !== digest) {
      throw new InvalidArgumentError(`stored blob ${digest} does not match its digest`, { details: { digest } });
    }
    return data;
  }

  /** Deletes a blob (no error when absent). */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
