/**
 * Cancellation for the public objects: every call rejects with AbortError (cause = the
 * signal's reason) as soon as its signal fires, whatever the backend is doing, and listeners
 * are removed when the call settles.
 *
 * @module
 */
import { abortErrorFrom, throwIfAborted } from './errors.js';

/** Runs `fn`, rejecting with AbortError as soon as `signal` fires. */
export async function applyAbort<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  throwIfAborted(signal);
  if (!signal) return fn();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortErrorFrom(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    fn().then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // A backend that noticed the abort itself may throw its own error: normalise it.
        reject(signal.aborted ? abortErrorFrom(signal) : err);
      },
    );
  });
}
