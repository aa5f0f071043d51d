/**
 * `engine.images`: pull, import, build, load, list and look up images.
 *
 * @module
 */
import { z } from 'zod';
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { stat } from 'node:fs/promises';
import { imageRefInput } from './edge-checks.js';
import { InvalidArgumentError } from './errors.js';
import { Image } from './image.js';
import {
  BuildSpecSchema,
  ImageSummarySchema,
  ImportOptionsSchema,
  PullOptionsSchema,
  RefInput,
  SignalOptionSchema,
  parseInput,
  parseOutput,
  type BuildSpec,
  type BuildResult,
  type ImageSummary,
  type ImportOptions,
  type PullOptions,
  type SignalOptions,
} from './schemas/index.js';
import { toReadable, type ByteSource } from './streams.js';

export type { BuildSpec, ImportOptions, PullOptions } from './schemas/index.js';

/** The images of an engine. */
export class ImageCollection {
  readonly #backend: Backend;

  /** @internal Created by `Engine`. */
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /**
   * Pulls an image; resolves when the pull has finished (rejects on the registry's error).
   *
   * @example
   * ```ts
   * const img = await engine.images.pull('busybox', { onProgress: (e) => console.log(e.status) });
   * ```
   */
  async pull(ref: string, options: PullOptions = {}): Promise<Image> {
    const name = imageRefInput(ref, 'ref');
    const opts = parseInput(PullOptionsSchema, options, 'options');
    const { id } = await applyAbort(opts.signal, () => this.#backend.images.pull(name, opts));
    return new Image(this.#backend, id, name, true);
  }

  /**
   * Imports a rootfs tar (plain or compressed) as a one-layer image, like `docker import`.
   *
   * @param source a host path, a Readable, an AsyncIterable of bytes, or the bytes
   */
  async import(source: string | ByteSource, options: ImportOptions = {}): Promise<Image> {
    const opts = parseInput(ImportOptionsSchema, options, 'options');
    if (opts.ref !== undefined) imageRefInput(opts.ref, 'options.ref', { tagOnly: true });
    if (typeof source === 'string') await checkSourceFile(source);
    const stream = toReadable(source, 'source', true);
    const { id } = await applyAbort(opts.signal, () => this.#backend.images.import(stream, {
      ref: opts.ref,
      changes: opts.changes ?? [],
      message: opts.message,
      signal: opts.signal,
    }));
    return new Image(this.#backend, id, opts.ref ?? id, true);
  }

  /**
   * Builds an image from a Dockerfile; resolves with the image and the steps (and whether
   * each came from the cache). A failing step rejects with BuildError.
   *
   * @example
   * ```ts
   * const { image, steps } = await engine.images.build({ context: './app', tags: ['app:1'] });
   * ```
   */
  async build(spec: BuildSpec): Promise<BuildResult> {
    const opts = parseInput(BuildSpecSchema, spec, 'spec');
    opts.tags?.forEach((tag, i) => imageRefInput(tag, `spec.tags.${i}`, { tagOnly: true }));
    if (typeof opts.context === 'string') await checkContextDir(opts.context);
    const context = typeof opts.context === 'string' ? opts.context : toReadable(opts.context, 'spec.context');
    const { id, steps } = await applyAbort(opts.signal, () => this.#backend.images.build({
      context,
      dockerfile: opts.dockerfile ?? 'Dockerfile',
      tags: opts.tags ?? [],
      buildArgs: opts.buildArgs ?? {},
      target: opts.target,
      noCache: opts.noCache ?? false,
      labels: opts.labels ?? {},
      onProgress: opts.onProgress,
    }, { signal: opts.signal }));
    return { image: new Image(this.#backend, id, opts.tags?.[0] ?? id, true), steps };
  }

  /** Loads an image archive (`docker load`); resolves with the images it held. */
  async load(tar: ByteSource, options: SignalOptions = {}): Promise<Image[]> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const stream = toReadable(tar, 'tar');
    const loaded = await applyAbort(opts.signal, () => this.#backend.images.load(stream, opts));
    return loaded.map((l) => new Image(this.#backend, l.id, l.repoTags[0] ?? l.id, false));
  }

  /** Lists images, like `docker images`. */
  async list(options: SignalOptions = {}): Promise<ImageSummary[]> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const rows = await applyAbort(opts.signal, () => this.#backend.images.list(opts));
    return parseOutput(z.array(ImageSummarySchema), rows, 'ImageSummary[]');
  }

  /** Finds an image by reference or ID (NotFoundError when missing). */
  async get(ref: string, options: SignalOptions = {}): Promise<Image> {
    const name = parseInput(RefInput, ref, 'ref');
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.images.inspect(name, opts));
    return new Image(this.#backend, info.id, name, false);
  }
}

/** An import source given as a path must be a file; refused in the docker CLI's words. */
async function checkSourceFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new InvalidArgumentError(`open ${path}: no such file or directory`, { details: { path: 'source', value: path } });
  if (info.isDirectory()) throw new InvalidArgumentError(`read ${path}: is a directory`, { details: { path: 'source', value: path } });
}

/** A context directory must exist and be a directory; refused in the docker CLI's words. */
async function checkContextDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) {
    throw new InvalidArgumentError(`unable to prepare context: path "${dir}" not found`, { details: { path: 'spec.context', value: dir } });
  }
  if (!info.isDirectory()) {
    throw new InvalidArgumentError(`unable to prepare context: context must be a directory: ${dir}`, { details: { path: 'spec.context', value: dir } });
  }
}
