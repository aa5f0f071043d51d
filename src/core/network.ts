/**
 * The `Network` handle.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import type { Container } from './container.js';
import { Ownership } from './owned.js';
import { NetworkInfoSchema, type NetworkInfo, type SignalOptions } from './schemas/index.js';

/**
 * A network.
 *
 * @example
 * ```ts
 * await using net = await engine.networks.create({ name: 'app' });
 * await net.connect(web, { aliases: ['db'] });
 * ```
 */
export class Network {
  readonly #backend: Backend;
  readonly #ownership: Ownership;

  /** The 64-hex network ID. */
  readonly id: string;
  /** The network's name. */
  readonly name: string;

  /** @internal Use `engine.networks` to obtain networks. */
  constructor(backend: Backend, id: string, name: string, owned: boolean) {
    this.#backend = backend;
    this.id = id;
    this.name = name;
    this.#ownership = new Ownership(owned);
  }

  /** Inspects the network. */
  async inspect(options: SignalOptions = {}): Promise<NetworkInfo> {
    const info = await applyAbort(options.signal, () => this.#backend.networks.inspect(this.id, options));
    return NetworkInfoSchema.parse(info);
  }

  /** Connects a container (a handle, name or ID), with optional aliases. */
  async connect(container: Container | string, options: SignalOptions & { aliases?: string[] } = {}): Promise<void> {
    const ref = typeof container === 'string' ? container : container.id;
    await applyAbort(options.signal, () => this.#backend.networks.connect(this.id, ref, options));
  }

  /** Disconnects a container. */
  async disconnect(container: Container | string, options: SignalOptions & { force?: boolean } = {}): Promise<void> {
    const ref = typeof container === 'string' ? container : container.id;
    await applyAbort(options.signal, () => this.#backend.networks.disconnect(this.id, ref, options));
  }

  /** Removes the network (ConflictError while containers are connected). */
  async remove(options: SignalOptions = {}): Promise<void> {
    await applyAbort(options.signal, () => this.#backend.networks.remove(this.id, options));
  }

  /** Removes the network if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.networks.remove(this.id));
  }
}
