/**
 * The `Volume` handle.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Ownership } from './owned.js';
import {
  parseInput, parseOutput, SignalOptionSchema, VolumeInfoSchema, VolumeRemoveOptionsSchema,
  type SignalOptions, type VolumeInfo, type VolumeRemoveOptions,
} from './schemas/index.js';

/**
 * A volume.
 *
 * @example
 * ```ts
 * await using v = await engine.volumes.create({ name: 'data' });
 * await engine.containers.run({ image: 'busybox', volumes: ['data:/data'], cmd: ['touch', '/data/x'] });
 * ```
 */
export class Volume {
  readonly #backend: Backend;
  readonly #ownership: Ownership;

  /** The volume's name (64 hex characters for an anonymous volume). */
  readonly name: string;

  /** @internal Use `engine.volumes` to obtain volumes. */
  constructor(backend: Backend, name: string, owned: boolean) {
    this.#backend = backend;
    this.name = name;
    this.#ownership = new Ownership(owned);
  }

  /** Inspects the volume. */
  async inspect(options: SignalOptions = {}): Promise<VolumeInfo> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.volumes.inspect(this.name, opts));
    return parseOutput(VolumeInfoSchema, info, 'VolumeInfo');
  }

  /** Removes the volume (ConflictError while in use, unless `force`). */
  async remove(options: VolumeRemoveOptions = {}): Promise<void> {
    const opts = parseInput(VolumeRemoveOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.volumes.remove(this.name, opts));
  }

  /** Removes the volume if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.volumes.remove(this.name, { force: true }));
  }
}
