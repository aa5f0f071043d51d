/**
 * The `Image` handle.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Ownership } from './owned.js';
import { imageRefInput } from './edge-checks.js';
import {
  HistoryEntrySchema,
  ImageInfoSchema,
  ImageRemoveOptionsSchema,
  PushOptionsSchema,
  SaveOptionsSchema,
  SignalOptionSchema,
  parseInput,
  parseOutput,
  type HistoryEntry,
  type ImageInfo,
  type ImageRemoveOptions,
  type ImageRemoveResult,
  type PushOptions,
  type SaveOptions,
  type SignalOptions,
} from './schemas/index.js';
import { deferredReadable } from './streams.js';
import { z } from 'zod';

const HistorySchema = z.array(HistoryEntrySchema);

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
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.images.inspect(this.id, opts));
    return parseOutput(ImageInfoSchema, info, 'ImageInfo');
  }

  /** The image's history, newest first. */
  async history(options: SignalOptions = {}): Promise<HistoryEntry[]> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const rows = await applyAbort(opts.signal, () => this.#backend.images.history(this.id, opts));
    return parseOutput(HistorySchema, rows, 'HistoryEntry[]');
  }

  /** Adds a reference (`repo:tag`) to the image; a digest reference is refused, as by `docker tag`. */
  async tag(ref: string, options: SignalOptions = {}): Promise<void> {
    const target = imageRefInput(ref, 'ref', { tagOnly: true });
    const opts = parseInput(SignalOptionSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.images.tag(this.id, target, opts));
  }

  /** Like `docker rmi <ref>`: untags; deletes the image when no tag is left. */
  async remove(options: ImageRemoveOptions = {}): Promise<ImageRemoveResult> {
    const opts = parseInput(ImageRemoveOptionsSchema, options, 'options');
    return applyAbort(opts.signal, () => this.#backend.images.remove(this.ref, opts));
  }

  /** Pushes the image to the registry named in `ref` (default: the reference it was found by). */
  async push(options: PushOptions = {}): Promise<void> {
    const opts = parseInput(PushOptionsSchema, options, 'options');
    if (opts.ref !== undefined) imageRefInput(opts.ref, 'options.ref', { tagOnly: true });
    const ref = opts.ref ?? this.ref;
    if (opts.ref !== undefined) await this.tag(opts.ref, { signal: opts.signal });
    await applyAbort(opts.signal, () => this.#backend.images.push(ref, opts));
  }

  /** An image archive (`docker save`); both formats load with `docker load`. */
  save(options: SaveOptions = {}): Readable {
    const opts = parseInput(SaveOptionsSchema, options, 'options');
    const ref = this.ref === this.id ? this.id : this.ref;
    return deferredReadable(() => applyAbort(opts.signal, () => this.#backend.images.save([ref], { format: opts.format ?? 'docker', signal: opts.signal })));
  }

  /** Removes the image reference (forcibly) if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.images.remove(this.ref, { force: true }));
  }
}
