/**
 * `engine.volumes`: create, list and look up volumes.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { z } from 'zod';
import {
  parseInput, parseOutput, RefInput, SignalOptionSchema, VolumeInfoSchema, VolumeSpecSchema,
  type SignalOptions, type VolumeInfo, type VolumeSpec,
} from './schemas/index.js';
import { validateVolumeName } from './specs/volumes.js';
import { Volume } from './volume.js';

/** The volumes of an engine. */
export class VolumeCollection {
  readonly #backend: Backend;

  /** @internal Created by `Engine`. */
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /**
   * Creates a volume (anonymous when no name is given).
   *
   * @example
   * ```ts
   * const v = await engine.volumes.create({ name: 'data', labels: { app: 'db' } });
   * ```
   */
  async create(spec: VolumeSpec = {}): Promise<Volume> {
    const opts = parseInput(VolumeSpecSchema, spec, 'spec');
    if (opts.name !== undefined) validateVolumeName(opts.name, 'spec.name');
    const info = await applyAbort(opts.signal, () => this.#backend.volumes.create({ name: opts.name, labels: opts.labels ?? {} }, { signal: opts.signal }));
    return new Volume(this.#backend, info.name, true);
  }

  /** Lists volumes. */
  async list(options: SignalOptions = {}): Promise<VolumeInfo[]> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const rows = await applyAbort(opts.signal, () => this.#backend.volumes.list(opts));
    return parseOutput(z.array(VolumeInfoSchema), rows, 'VolumeInfo[]');
  }

  /** Finds a volume by name (NotFoundError when missing). */
  async get(name: string, options: SignalOptions = {}): Promise<Volume> {
    const ref = parseInput(RefInput, name, 'name');
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.volumes.inspect(ref, opts));
    return new Volume(this.#backend, info.name, false);
  }
}
