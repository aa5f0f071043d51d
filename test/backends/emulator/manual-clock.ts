/**
 * A clock for tests: time moves only when the test advances it, and `sleep` timers fire then.
 */
import { AbortError } from '../../../src/core/errors.js';
import type { EmulatorClock } from '../../../src/backends/emulator/index.js';

interface Timer {
  at: number;
  resolve: () => void;
}

/** A deterministic {@link EmulatorClock}. */
export class ManualClock implements EmulatorClock {
  #now: number;
  #timers = new Set<Timer>();

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.#now = start;
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** How many sleeps are waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#timers.delete(timer);
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.add(timer);
    });
  }

  /** Moves time forward, firing every timer that falls due. */
  advance(ms: number): void {
    this.#now += ms;
    for (const t of [...this.#timers]) {
      if (t.at <= this.#now) {
        this.#timers.delete(t);
        t.resolve();
      }
    }
  }
}
