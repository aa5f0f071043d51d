/**
 * The `Volume` handle.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Ownership } from './owned.js';
import { VolumeInfoSchema, type SignalOptions, type VolumeInfo } from './schemas/index.js';

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
    const info = await applyAbort(options.signal, () => this.#backend.volumes.inspect(this.name, options));
    return VolumeInfoSchema.parse(info);
  }

  /** Removes the volume (ConflictError while in use, unless `force`). */
  async remove(options: SignalOptions & { force?: boolean } = {}): Promise<void> {
    await applyAbort(options.signal, () => this.#backend.volumes.remove(this.name, options));
  }

  /** Removes the volume if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.volumes.remove(this.name, { force: true }));
  }
}
