/**
 * The `Network` handle.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Container } from './container.js';
import { Ownership } from './owned.js';
import {
  NetworkConnectOptionsSchema, NetworkDisconnectOptionsSchema, NetworkInfoSchema, parseInput, parseOutput, RefInput,
  SignalOptionSchema, type NetworkConnectOptions, type NetworkDisconnectOptions, type NetworkInfo, type SignalOptions,
} from './schemas/index.js';

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
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.networks.inspect(this.id, opts));
    return parseOutput(NetworkInfoSchema, info, 'NetworkInfo');
  }

  /** Connects a container (a handle, name or ID), with optional aliases. */
  async connect(container: Container | string, options: NetworkConnectOptions = {}): Promise<void> {
    const ref = containerRef(container);
    const opts = parseInput(NetworkConnectOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.networks.connect(this.id, ref, opts));
  }

  /** Disconnects a container. */
  async disconnect(container: Container | string, options: NetworkDisconnectOptions = {}): Promise<void> {
    const ref = containerRef(container);
    const opts = parseInput(NetworkDisconnectOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.networks.disconnect(this.id, ref, opts));
  }

  /** Removes the network (ConflictError while containers are connected). */
  async remove(options: SignalOptions = {}): Promise<void> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.networks.remove(this.id, opts));
  }

  /** Removes the network if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.networks.remove(this.id));
  }
}

/**
 * The reference of a container given as a handle (of this or another copy of the package: any
 * object with a string `id`), a name or an ID.
 */
function containerRef(container: unknown): string {
  if (container instanceof Container) return container.id;
  const id = typeof container === 'object' && container !== null ? (container as { id?: unknown }).id : undefined;
  return parseInput(RefInput, typeof id === 'string' ? id : container, 'container');
}
