/**
 * Bounded parallelism for blob transfers: at most N tasks at once, and the first failure
 * cancels the others (through a signal every task receives) before it is reported, so nothing
 * is left running or half-written behind a rejected pull or push.
 *
 * @module
 */
import { abortErrorFrom } from '../core/errors.js';

/**
 * Runs `task` for every item with at most `limit` running at once; `onWait` is called for the
 * items that have to queue (Docker's `Waiting` lines). Rejects with the first error after every
 * started task has settled.
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, signal: AbortSignal) => Promise<void>,
  options: { signal?: AbortSignal | undefined; onWait?: (item: T) => void } = {},
): Promise<void> {
  const inner = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => inner.abort(outer!.reason);
  if (outer?.aborted) throw abortErrorFrom(outer);
  outer?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const width = Math.max(1, Math.min(limit, items.length));
  for (let i = width; i < items.length; i++) options.onWait?.(items[i]!);
  const worker = async (): Promise<void> => {
    while (!failure && !inner.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item, inner.signal);
      } catch (error) {
        if (!failure) failure = { error };
        inner.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
  if (outer?.aborted) throw abortErrorFrom(outer);
  if (failure) throw failure.error;
}
