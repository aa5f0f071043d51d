/**
 * `engine.volumes`: create, list and look up volumes.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { parseInput, VolumeInfoSchema, VolumeSpecSchema, type SignalOptions, type VolumeInfo, type VolumeSpec } from './schemas/index.js';
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
    const rows = await applyAbort(options.signal, () => this.#backend.volumes.list(options));
    return rows.map((r) => VolumeInfoSchema.parse(r));
  }

  /** Finds a volume by name (NotFoundError when missing). */
  async get(name: string, options: SignalOptions = {}): Promise<Volume> {
    const info = await applyAbort(options.signal, () => this.#backend.volumes.inspect(name, options));
    return new Volume(this.#backend, info.name, false);
  }
}
