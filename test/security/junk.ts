/**
 * Generators of junk arguments for the public methods, and a harness that settles whatever a
 * call returns (promises, streams, spawned processes, attached streams, log iterators) and
 * collects every error that comes out, so the property test can check that each is a Stowage
 * error.
 *
 * @module
 */
import fc from 'fast-check';
import { Readable, type Writable } from 'node:stream';
import { imageRefInput } from '../../src/core/edge-checks.js';

/** The plain values random inputs are made of: every type, odd numbers, huge strings, symbols. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withBoxedValues: true, withSparseArray: true }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(Number.NaN, -1, -0, 0, 1.5, Infinity, -Infinity, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, '', ' ', '\0', '/', '..', 'x'.repeat(70_000), null, undefined, true, [], {}, () => undefined) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Symbol('junk'), Symbol.iterator, new Uint8Array(0), new Uint8Array([1, 2, 3]), new AbortController().signal, new Date(Number.NaN), Object.create(null) as unknown) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }) },
);

/** Keys an option bag knows, and near misses of them (the typos strict checking must catch). */
function keysAndNearMisses(keys: readonly string[]): string[] {
  return [...keys, ...keys.map((k) => k.toLowerCase()), ...keys.map((k) => `${k}s`), 'signal', '__proto__', 'constructor'];
}

/**
 * Option bags that look right: known keys (and near misses) with junk values, sometimes valid
 * ones. They reach the checks that a plain random object never does.
 */
export function bagOf(keys: readonly string[], values: fc.Arbitrary<unknown> = junkValue): fc.Arbitrary<Record<string, unknown>> {
  const plausible = fc.oneof(values, fc.boolean(), fc.integer({ min: -5, max: 70_000 }), fc.string({ maxLength: 12 }));
  return fc.dictionary(fc.constantFrom(...keysAndNearMisses(keys)), plausible, { maxKeys: 4 });
}

/** An argument: junk, or a plausible bag of the given keys. */
export function arg(keys: readonly string[] = []): fc.Arbitrary<unknown> {
  return keys.length === 0 ? junkValue : fc.oneof(junkValue, bagOf(keys));
}

/**
 * Keeps tests on this machine: a string that is a valid image reference (which would send the
 * engine to Docker Hub) becomes one on 127.0.0.1:1, where nothing listens. Invalid ones and
 * non-strings stay as they are, to be refused.
 */
export function localRef(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    imageRefInput(value, 'ref');
  } catch {
    return value;
  }
  return `127.0.0.1:1/stowage-junk/${Buffer.from(value).toString('hex').slice(0, 40) || 'x'}:t`;
}

/** Applies {@link localRef} to the reference fields of a bag (`image`, `ref`, `repo`, `tags`). */
export function localRefs(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return localRef(value);
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of ['image', 'ref', 'repo']) if (key in out) out[key] = localRef(out[key]);
  if (Array.isArray(out.tags)) out.tags = out.tags.map(localRef);
  return out;
}

/** A host path that does not exist, for string contexts and import sources. */
export function missingPath(value: unknown, dir: string): unknown {
  return typeof value === 'string' ? `${dir}/missing-${Buffer.from(value).toString('hex').slice(0, 32)}` : value;
}

/** What a call produced, settled: the errors that came out of it, and handles to dispose. */
export interface Settled {
  /** Every error thrown, rejected or emitted by the call or what it returned. */
  errors: unknown[];
  /** Resources the call created (to remove after the test). */
  disposables: AsyncDisposable[];
}

const isReadable = (v: unknown): v is Readable => v instanceof Readable;

/** Reads a stream to its end (at most a few MiB), collecting its error instead of throwing. */
async function drain(stream: Readable, errors: unknown[]): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      if (bytes > 8 << 20) break;
    }
  } catch (e) {
    errors.push(e);
  } finally {
    stream.destroy();
  }
}

/**
 * Runs `call` and settles everything it returns, so no promise rejects unobserved and no
 * stream errors without a listener; returns the errors that came out.
 */
export async function settle(call: () => unknown): Promise<Settled> {
  const errors: unknown[] = [];
  const disposables: AsyncDisposable[] = [];
  let value: unknown;
  try {
    value = call();
    if (value instanceof Promise) value = await value;
  } catch (e) {
    errors.push(e);
    return { errors, disposables };
  }
  await settleValue(value, errors, disposables);
  return { errors, disposables };
}

async function settleValue(value: unknown, errors: unknown[], disposables: AsyncDisposable[]): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) await settleValue(item, errors, disposables);
    return;
  }
  if (isReadable(value)) return drain(value, errors);
  const v = value as Record<PropertyKey, unknown>;
  if (typeof v[Symbol.asyncDispose] === 'function' && 'id' in v) {
    disposables.push(value as AsyncDisposable);
    return;
  }
  if (v.exit instanceof Promise && isReadable(v.stdout)) {
    // A spawned process: close its stdin so it cannot wait on us, then await its end.
    (v.stdin as Writable | null)?.end();
    await Promise.all([drain(v.stdout, errors), drain(v.stderr as Readable, errors), v.exit.catch((e: unknown) => errors.push(e))]);
    return;
  }
  if (isReadable(v.stdout)) {
    // Attached streams of the main process: let go of them.
    (v.stdin as Writable | null)?.destroy();
    v.stdout.destroy();
    (v.stderr as Readable).destroy();
    return;
  }
  if (typeof v[Symbol.asyncIterator] === 'function') {
    try {
      let n = 0;
      for await (const _ of value as AsyncIterable<unknown>) if (++n > 100) break;
    } catch (e) {
      errors.push(e);
    }
  }
}
