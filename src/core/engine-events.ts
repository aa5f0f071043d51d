/**
 * `engine.events`: an eventemitter3 emitter with a typed event map that subscribes to the
 * backend lazily, when the first listener is added, and unsubscribes when the last one goes.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { Backend, EventSubscription } from './backend.js';
import { InvalidArgumentError } from './errors.js';
import type { EngineEvent, EngineEventMap, EngineEventName } from './schemas/index.js';

/**
 * A listener must be a function and the event a name: anything else would only fail later,
 * as a TypeError inside the event pump.
 */
function checkListener(event: unknown, fn: unknown): void {
  if (typeof event !== 'string' && typeof event !== 'symbol') {
    throw new InvalidArgumentError(`invalid event: expected an event name such as container.start, received ${typeof event}`, { details: { path: 'event' } });
  }
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`invalid listener: expected a function, received ${fn === null ? 'null' : typeof fn}`, { details: { path: 'listener' } });
  }
}

/** Listener signatures of `engine.events`: every `<type>.<action>`, plus `error`. */
export type EngineEventListeners = EngineEventMap & {
  /** The backend's event stream failed; it is re-subscribed on the next `on()`. */
  error: (error: unknown) => void;
};

/**
 * Engine-wide events, as Docker's `/events` reports them.
 *
 * @example
 * ```ts
 * engine.events.on('container.die', (e) => console.log(e.name, e.attributes.exitCode));
 * ```
 */
export class EngineEvents extends EventEmitter<EngineEventListeners> {
  readonly #backend: Backend;
  #subscription: Promise<EventSubscription | undefined> | undefined;

  /** @internal Created by `Engine`. */
  constructor(backend: Backend) {
    super();
    this.#backend = backend;
  }

  /** Adds a listener; the first one subscribes to the backend. */
  override on<T extends EventEmitter.EventNames<EngineEventListeners>>(
    event: T, fn: EventEmitter.EventListener<EngineEventListeners, T>, context?: unknown,
  ): this {
    checkListener(event, fn);
    super.on(event, fn, context);
    this.#ensureSubscribed();
    return this;
  }

  /** Adds a listener; the first one subscribes to the backend. */
  override addListener<T extends EventEmitter.EventNames<EngineEventListeners>>(
    event: T, fn: EventEmitter.EventListener<EngineEventListeners, T>, context?: unknown,
  ): this {
    return this.on(event, fn, context);
  }

  /** Adds a one-time listener; the first listener subscribes to the backend. */
  override once<T extends EventEmitter.EventNames<EngineEventListeners>>(
    event: T, fn: EventEmitter.EventListener<EngineEventListeners, T>, context?: unknown,
  ): this {
    checkListener(event, fn);
    super.once(event, fn, context);
    this.#ensureSubscribed();
    return this;
  }

  /** Removes listeners; when none is left, the backend subscription is closed. */
  override off<T extends EventEmitter.EventNames<EngineEventListeners>>(
    event: T, fn?: EventEmitter.EventListener<EngineEventListeners, T>, context?: unknown, once?: boolean,
  ): this {
    super.off(event, fn, context, once);
    if (this.#listenerTotal() === 0) void this.close();
    return this;
  }

  /** Removes listeners; when none is left, the backend subscription is closed. */
  override removeListener<T extends EventEmitter.EventNames<EngineEventListeners>>(
    event: T, fn?: EventEmitter.EventListener<EngineEventListeners, T>, context?: unknown, once?: boolean,
  ): this {
    return this.off(event, fn, context, once);
  }

  /** Removes every listener (of one event, or all) and closes the subscription when none is left. */
  override removeAllListeners(event?: EventEmitter.EventNames<EngineEventListeners>): this {
    super.removeAllListeners(event);
    if (this.#listenerTotal() === 0) void this.close();
    return this;
  }

  /** @internal Closes the backend subscription (engine close). */
  async close(): Promise<void> {
    const sub = this.#subscription;
    this.#subscription = undefined;
    const s = await sub?.catch(() => undefined);
    await s?.close();
  }

  #listenerTotal(): number {
    return this.eventNames().reduce((n, name) => n + this.listenerCount(name), 0);
  }

  #ensureSubscribed(): void {
    if (this.#subscription) return;
    const deliver = (event: EngineEvent) => {
      const name = `${event.type}.${event.action}` as EngineEventName;
      this.emit(name, event);
    };
    const fail = (error: unknown) => {
      this.#subscription = undefined;
      if (this.listenerCount('error') > 0) this.emit('error', error);
    };
    this.#subscription = this.#backend.subscribeEvents(deliver, fail).catch((error: unknown) => {
      fail(error);
      return undefined;
    });
  }
}
