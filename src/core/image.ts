/**
 * The `Image` handle.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Ownership } from './owned.js';
import {
  HistoryEntrySchema,
  ImageInfoSchema,
  ProgressCallbackSchema,
  parseInput,
  type HistoryEntry,
  type ImageInfo,
  type ImageRemoveResult,
  type ProgressEvent,
  type SignalOptions,
} from './schemas/index.js';
import { deferredReadable } from './streams.js';
import { z } from 'zod';

const SaveOptionsSchema = z.object({
  format: z.enum(['docker', 'oci']).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

const PushOptionsSchema = z.object({
  ref: z.string().min(1).optional(),
  onProgress: ProgressCallbackSchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/**
 * An image. An `Image` keeps its ID and the reference it was found by.
 *
 * @example
 * ```ts
 * const img = await engine.images.get('busybox');
 * const info = await img.inspect();
 * console.log(info.repoTags, info.rootfs.diffIds.length);
 * ```
 */
export class Image {
  readonly #backend: Backend;
  readonly #ownership: Ownership;

  /** The image ID (`sha256:...`). */
  readonly id: string;
  /** The reference the image was found or created by (`busybox:latest`, or its ID). */
  readonly ref: string;

  /** @internal Use `engine.images` to obtain images. */
  constructor(backend: Backend, id: string, ref: string, owned: boolean) {
    this.#backend = backend;
    this.id = id;
    this.ref = ref;
    this.#ownership = new Ownership(owned);
  }

  /** Inspects the image. */
  async inspect(options: SignalOptions = {}): Promise<ImageInfo> {
    const info = await applyAbort(options.signal, () => this.#backend.images.inspect(this.id, options));
    return ImageInfoSchema.parse(info);
  }

  /** The image's history, newest first. */
  async history(options: SignalOptions = {}): Promise<HistoryEntry[]> {
    const rows = await applyAbort(options.signal, () => this.#backend.images.history(this.id, options));
    return rows.map((r) => HistoryEntrySchema.parse(r));
  }

  /** Adds a reference (`repo:tag`) to the image. */
  async tag(ref: string, options: SignalOptions = {}): Promise<void> {
    const target = parseInput(z.string().min(1), ref, 'ref');
    await applyAbort(options.signal, () => this.#backend.images.tag(this.id, target, options));
  }

  /** Like `docker rmi <ref>`: untags; deletes the image when no tag is left. */
  async remove(options: SignalOptions & { force?: boolean } = {}): Promise<ImageRemoveResult> {
    return applyAbort(options.signal, () => this.#backend.images.remove(this.ref, options));
  }

  /** Pushes the image to the registry named in `ref` (default: the reference it was found by). */
  async push(options: SignalOptions & { ref?: string; onProgress?: (event: ProgressEvent) => void } = {}): Promise<void> {
    const opts = parseInput(PushOptionsSchema, options, 'options');
    const ref = opts.ref ?? this.ref;
    if (opts.ref !== undefined) await this.tag(opts.ref, opts);
    await applyAbort(opts.signal, () => this.#backend.images.push(ref, opts));
  }

  /** An image archive (`docker save`); both formats load with `docker load`. */
  save(options: SignalOptions & { format?: 'docker' | 'oci' } = {}): Readable {
    const opts = parseInput(SaveOptionsSchema, options, 'options');
    const ref = this.ref === this.id ? this.id : this.ref;
    return deferredReadable(() => applyAbort(opts.signal, () => this.#backend.images.save([ref], { format: opts.format ?? 'docker', signal: opts.signal })));
  }

  /** Removes the image reference (forcibly) if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.images.remove(this.ref, { force: true }));
  }
}
