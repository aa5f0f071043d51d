/**
 * `engine.networks`: create, list and look up networks.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Network } from './network.js';
import { z } from 'zod';
import {
  NetworkInfoSchema, NetworkSpecSchema, parseInput, parseOutput, RefInput, SignalOptionSchema,
  type NetworkInfo, type NetworkSpec, type SignalOptions,
} from './schemas/index.js';

/** The networks of an engine. */
export class NetworkCollection {
  readonly #backend: Backend;

  /** @internal Created by `Engine`. */
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /**
   * Creates a bridge network.
   *
   * @example
   * ```ts
   * await using net = await engine.networks.create({ name: 'app', subnet: '172.30.0.0/16' });
   * ```
   */
  async create(spec: NetworkSpec): Promise<Network> {
    const opts = parseInput(NetworkSpecSchema, spec, 'spec');
    const info = await applyAbort(opts.signal, () => this.#backend.networks.create({
      name: opts.name,
      subnet: opts.subnet,
      internal: opts.internal ?? false,
      labels: opts.labels ?? {},
    }, { signal: opts.signal }));
    return new Network(this.#backend, info.id, info.name, true);
  }

  /** Lists networks, the default `bridge` included. */
  async list(options: SignalOptions = {}): Promise<NetworkInfo[]> {
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const rows = await applyAbort(opts.signal, () => this.#backend.networks.list(opts));
    return parseOutput(z.array(NetworkInfoSchema), rows, 'NetworkInfo[]');
  }

  /** Finds a network by name, ID or unique ID prefix (NotFoundError when missing). */
  async get(ref: string, options: SignalOptions = {}): Promise<Network> {
    const name = parseInput(RefInput, ref, 'ref');
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.networks.inspect(name, opts));
    return new Network(this.#backend, info.id, info.name, false);
  }
}
