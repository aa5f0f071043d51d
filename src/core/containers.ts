/**
 * `engine.containers`: create, run, list and look up containers.
 *
 * @module
 */
import type { Backend } from './backend.js';
import { applyAbort } from './abort.js';
import { Container } from './container.js';
import { NotFoundError } from './errors.js';
import { bareName } from './owned.js';
import {
  ContainerListOptionsSchema,
  ContainerSpecSchema,
  ContainerSummarySchema,
  RefInput,
  RunSpecSchema,
  SignalOptionSchema,
  parseInput,
  parseOutput,
  type ContainerListOptions,
  type ContainerSpec,
  type ContainerSummary,
  type RunSpec,
  type SignalOptions,
} from './schemas/index.js';
import { toCreateRequest } from './spec-input.js';
import { z } from 'zod';

const ContainerSummaryListSchema = z.array(ContainerSummarySchema);

/**
 * The containers of an engine.
 *
 * @example
 * ```ts
 * const c = await engine.containers.create({ image: 'busybox', name: 'web1', ports: ['43000:80'] });
 * await c.start();
 * ```
 */
export class ContainerCollection {
  readonly #backend: Backend;

  /** @internal Created by `Engine`. */
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /**
   * Creates a container (`docker create`). The image must exist: images are not pulled
   * implicitly (NotFoundError).
   */
  async create(spec: ContainerSpec, options: SignalOptions = {}): Promise<Container> {
    const parsed = parseInput(ContainerSpecSchema, spec, 'spec');
    const request = toCreateRequest(parsed);
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const { id, name } = await applyAbort(opts.signal, () => this.#backend.containers.create(request, opts));
    return new Container(this.#backend, id, name, true);
  }

  /**
   * Creates and starts a container (`docker run -d`), pulling a missing image unless
   * `pull: 'never'`.
   *
   * @example
   * ```ts
   * await using c = await engine.containers.run({ image: 'busybox', cmd: ['echo', 'hi'] });
   * await c.wait();
   * ```
   */
  async run(spec: RunSpec, options: SignalOptions = {}): Promise<Container> {
    const { pull = 'missing', ...rest } = parseInput(RunSpecSchema, spec, 'spec');
    const { signal } = parseInput(SignalOptionSchema, options, 'options');
    toCreateRequest(rest); // the string forms (`-v`, `-p`...) are refused before any pull
    await applyAbort(signal, async () => {
      if (pull === 'always') {
        await this.#backend.images.pull(rest.image, { signal });
      } else if (pull === 'missing') {
        try {
          await this.#backend.images.inspect(rest.image, { signal });
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
          await this.#backend.images.pull(rest.image, { signal });
        }
      }
    });
    const container = await this.create(rest, options);
    // A container that cannot start stays, as with `docker run`: the caller can inspect it.
    await container.start(options);
    return container;
  }

  /** Lists containers (running only, unless `all`), like `docker ps`. */
  async list(options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    const opts = parseInput(ContainerListOptionsSchema, options, 'options');
    const rows = await applyAbort(opts.signal, () => this.#backend.containers.list({
      all: opts.all ?? false,
      filters: opts.filters ?? {},
    }, { signal: opts.signal }));
    return parseOutput(ContainerSummaryListSchema, rows, 'ContainerSummary[]');
  }

  /**
   * Finds a container by name (`web1` or `/web1`), full ID or unique ID prefix; rejects with
   * NotFoundError when it does not exist.
   */
  async get(ref: string, options: SignalOptions = {}): Promise<Container> {
    const name = bareName(parseInput(RefInput, ref, 'ref'));
    const opts = parseInput(SignalOptionSchema, options, 'options');
    const info = await applyAbort(opts.signal, () => this.#backend.containers.inspect(name, opts));
    return new Container(this.#backend, info.id, info.name, false);
  }
}
