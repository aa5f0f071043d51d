/**
 * The emulator's sources of time and identity.
 *
 * Containers read the time (created/started/finished dates, log timestamps, status strings)
 * and wait (ctx.sleep, the stop timeout) only through an {@link EmulatorClock}, and draw IDs
 * from an {@link IdSource}, so tests can make both deterministic.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { AbortError } from '../../core/errors.js';

/** Where the emulator reads the time and how it waits. */
export interface EmulatorClock {
  /** The current time. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds of this clock; rejects with the signal's reason as an
   * AbortError when `signal` fires first. Default: a real timer.
   */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Produces a fresh 64-character lower-case hex ID. */
export type IdSource = () => string;

/** The wall clock with real timers. */
export const systemClock: EmulatorClock = {
  now: () => new Date(),
  sleep: timerSleep,
};

/** Random 256-bit IDs, as Docker makes them. */
export const randomIdSource: IdSource = () => randomBytes(32).toString('hex');

/**
 * Waits `ms` milliseconds of `clock` (its own `sleep` when it has one, else a real timer).
 *
 * @throws AbortError when `signal` fires first (`cause` = its reason)
 */
export function clockSleep(clock: EmulatorClock, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep ? clock.sleep(ms, signal) : timerSleep(ms, signal);
}

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
