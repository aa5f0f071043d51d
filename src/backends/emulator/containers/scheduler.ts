/**
 * Time slices for the processes of an emulated container.
 *
 * JavaScript cannot pre-empt a function, and an async program whose every `await` settles at
 * once (a shell loop of builtins, awk's `while (1) {}`, `yes` into a pipe that keeps up) runs on
 * microtasks alone: Node never gets back to its event loop, so no timer, socket, `stop()` or
 * other container runs. Programs therefore pass a checkpoint in each step of their loops
 * (`ctx.checkpoint()`, see program.ts). The scheduler counts those steps, reads the clock only
 * every {@link DEFAULT_CHECK_EVERY} of them, and once the container has run for a whole slice
 * without the event loop getting a turn, tells the caller to wait for the next turn.
 *
 * Every process of a container waits for the same turn, so a container gets about one slice
 * per turn of the event loop however many processes it runs, and busy containers take turns in
 * the order they yielded (setImmediate is first in, first out). Host timers are then late by at
 * most one slice per busy container.
 *
 * @module
 */

/**
 * Milliseconds a container may run before it lets the event loop turn. Long enough that the
 * cost of a turn (about a microsecond, plus whatever else is due) is lost in the noise, short
 * enough that a host timer is never noticeably late.
 */
export const DEFAULT_SLICE_MS = 4;

/**
 * Steps between two reads of the clock: a step of the shell costs microseconds, a read of
 * `performance.now()` about 50 ns, so the check is free and the slice overruns by little.
 */
export const DEFAULT_CHECK_EVERY = 32;

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Slice length in milliseconds (default {@link DEFAULT_SLICE_MS}). */
  sliceMs?: number;
  /** Steps between clock reads (default {@link DEFAULT_CHECK_EVERY}). */
  checkEvery?: number;
}

/** One container's share of the event loop; see the module notes. */
export class Scheduler {
  readonly #sliceMs: number;
  readonly #checkEvery: number;
  #steps = 0;
  // When the running slice began; -1 while none runs (the event loop had a turn since).
  #sliceStart = -1;
  #generation = 0;
  #turn: Promise<void> | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.#checkEvery = Math.max(1, options.checkEvery ?? DEFAULT_CHECK_EVERY);
  }

  /**
   * Counts one step of a program; true when its container has used up its slice and the
   * caller must await {@link nextTurn} before going on. Synchronous and cheap: the hot loops
   * of the interpreters call it on every step.
   */
  due(): boolean {
    if (++this.#steps < this.#checkEvery) return false;
    this.#steps = 0;
    const now = performance.now();
    if (this.#sliceStart < 0) {
      this.#startSlice(now);
      return false;
    }
    return now - this.#sliceStart >= this.#sliceMs;
  }

  /** Resolves at the container's next turn, which starts a fresh slice. */
  nextTurn(): Promise<void> {
    this.#turn ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#turn = undefined;
        this.#sliceStart = -1;
        this.#generation++;
        resolve();
      });
    });
    return this.#turn;
  }

  #startSlice(now: number): void {
    this.#sliceStart = now;
    const generation = ++this.#generation;
    // If the event loop gets a turn before the slice is used up, the container was not
    // hogging it: the slice ends there and the next step starts a new one.
    setImmediate(() => {
      if (this.#generation === generation) this.#sliceStart = -1;
    });
  }
}
