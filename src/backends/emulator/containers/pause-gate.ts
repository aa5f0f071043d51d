/**
 * The freezer of an emulated container.
 *
 * JavaScript cannot stop a running function, so pausing works at the program's effects and
 * checkpoints: every call through its context (filesystem, network, sleep, output) and every
 * `ctx.checkpoint()` of a busy loop first waits at this gate, which is closed while the
 * container is paused.
 *
 * @module
 */
import { Waiters } from './waiters.js';

/** A gate that effects pass through; closed while the container is paused. */
export class PauseGate {
  #paused = false;
  #waiters = new Waiters();

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
    this.#waiters.wakeAll();
  }

  /**
   * Resolves at once when open, else when the gate reopens.
   *
   * @throws AbortError when `signal` fires while waiting
   */
  pass(signal?: AbortSignal): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return this.#waiters.wait(signal);
  }
}
