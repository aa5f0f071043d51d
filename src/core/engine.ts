/**
 * `Engine`: the entry point of the SDK, over any {@link Backend}.
 *
 * @module
 */
import type { Backend, BackendCapabilities } from './backend.js';
import { ContainerCollection } from './containers.js';
import { EngineEvents } from './engine-events.js';
import { ImageCollection } from './images.js';
import { NetworkCollection } from './networks.js';
import { openBackend, type EngineOpenOptions } from './open-backend.js';
import { VolumeCollection } from './volumes.js';
import { InvalidArgumentError } from './errors.js';

/** Refuses what cannot be a backend before any call reaches it with a TypeError. */
function checkBackend(backend: unknown): asserts backend is Backend {
  const b = backend as Partial<Record<keyof Backend, unknown>> | null;
  const missing = typeof b !== 'object' || b === null
    ? ['name']
    : [
      ...(typeof b.name === 'string' ? [] : ['name']),
      ...(['capabilities', 'containers', 'images', 'volumes', 'networks'] as const).filter((k) => typeof b[k] !== 'object' || b[k] === null),
      ...(['subscribeEvents', 'close'] as const).filter((k) => typeof b[k] !== 'function'),
    ];
  if (missing.length > 0) {
    throw new InvalidArgumentError(`invalid backend: not a Backend (missing or wrong: ${missing.join(', ')})`, { details: { path: 'backend' } });
  }
}

/**
 * A container engine: containers, images, volumes, networks and events over one backend.
 *
 * @example
 * ```ts
 * import { Engine } from 'stowage';
 * await using engine = await Engine.open();            // STOWAGE_BACKEND, else the emulator
 * await using c = await engine.containers.run({ image: 'busybox', cmd: ['echo', 'hello'] });
 * console.log(await c.wait());                         // { exitCode: 0 }
 * ```
 */
export class Engine {
  readonly #backend: Backend;
  #closed: Promise<void> | undefined;

  /** Containers. */
  readonly containers: ContainerCollection;
  /** Images. */
  readonly images: ImageCollection;
  /** Volumes. */
  readonly volumes: VolumeCollection;
  /** Networks. */
  readonly networks: NetworkCollection;
  /** Engine-wide events, subscribed lazily when the first listener is added. */
  readonly events: EngineEvents;

  /** Wraps any object implementing {@link Backend} (InvalidArgumentError when it plainly does not). */
  constructor(backend: Backend) {
    checkBackend(backend);
    this.#backend = backend;
    this.containers = new ContainerCollection(backend);
    this.images = new ImageCollection(backend);
    this.volumes = new VolumeCollection(backend);
    this.networks = new NetworkCollection(backend);
    this.events = new EngineEvents(backend);
  }

  /**
   * Opens an engine. With no `backend`, `STOWAGE_BACKEND` decides, else the emulator.
   * `auto` picks docker when an engine answers, else native when root with runc, else the
   * emulator. Other options go to the backend's factory.
   */
  static async open(options: EngineOpenOptions = {}): Promise<Engine> {
    return new Engine(await openBackend(options));
  }

  /** The backend's name (`emulator`, `docker`, `native`, or a custom one). */
  get backend(): string {
    return this.#backend.name;
  }

  /** What the backend can do. */
  get capabilities(): BackendCapabilities {
    return { ...this.#backend.capabilities };
  }

  /** Closes sockets, timers and event subscriptions; safe to call twice. */
  async close(): Promise<void> {
    this.#closed ??= (async () => {
      this.events.removeAllListeners();
      await this.events.close();
      await this.#backend.close();
    })();
    return this.#closed;
  }

  /** Same as {@link Engine.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
