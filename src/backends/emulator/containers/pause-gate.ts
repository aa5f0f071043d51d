/**
 * The freezer of an emulated container.
 *
 * JavaScript cannot stop a running function, so pausing works at the program's effects:
 * every call through its context (filesystem, network, sleep, output) first waits at this
 * gate, which is closed while the container is paused.
 *
 * @module
 */
import { AbortError } from '../../../core/errors.js';

/** A gate that effects pass through; closed while the container is paused. */
export class PauseGate {
  #paused = false;
  #waiters = new Set<() => void>();

  /** Whether the gate is closed. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Closes the gate: later {@link pass} calls wait. */
  pause(): void {
    this.#paused = true;
  }

  /** Opens the gate and lets every waiting effect through. */
  resume(): void {
    this.#paused = false;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /**
   * Resolves at once when open, else when the gate reopens.
   *
   * @throws AbortError when `signal` fires while waiting
   */
  pass(signal?: AbortSignal): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(done);
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      this.#waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
