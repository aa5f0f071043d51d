/**
 * A set of callers parked until something happens, each of which may give up on its own
 * AbortSignal. The freezer parks effects until the container is thawed; the log buffer parks
 * followers until a line arrives.
 *
 * @module
 */
import { AbortError } from '../../../core/errors.js';

/** Parked callers, released all at once by {@link Waiters.wakeAll}. */
export class Waiters {
  #waiting = new Set<() => void>();

  /**
   * Resolves at the next {@link wakeAll}.
   *
   * @throws AbortError (with `cause = signal.reason`) when `signal` has fired or fires first;
   *   the caller is then no longer parked
   */
  wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.delete(done);
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      this.#waiting.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Releases every caller parked now; later {@link wait} calls park until the next wake. */
  wakeAll(): void {
    // A copy: a woken caller may park again at once and must wait for the next wake.
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const done of waiting) done();
  }
}
