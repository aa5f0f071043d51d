/**
 * Stream helpers of the public objects: sources users may pass, and streams that must be
 * returned synchronously while the backend call that produces them is still under way.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { InvalidArgumentError } from './errors.js';

/** What users may pass where Stowage reads bytes. */
export type ByteSource = Readable | AsyncIterable<Uint8Array> | Uint8Array;

/** Turns a {@link ByteSource} (or a host file path, where `allowPath`) into a Readable. */
export function toReadable(source: unknown, field: string, allowPath = false): Readable {
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array) return Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  if (allowPath && typeof source === 'string') return createReadStream(source);
  if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    return Readable.from(source as AsyncIterable<Uint8Array>, { objectMode: false });
  }
  throw new InvalidArgumentError(`invalid ${field}: expected ${allowPath ? 'a path, ' : ''}a Readable, an AsyncIterable<Uint8Array> or a Uint8Array`, {
    details: { path: field },
  });
}

/**
 * Returns a Readable at once for a stream the backend only produces asynchronously. A failure
 * of `produce` (NotFoundError included) surfaces as the returned stream's `error` event, as
 * API.md promises for `logs`, `getArchive`, `export` and `save`. Backpressure flows through
 * `pipe`; destroying the returned stream destroys the backend's.
 */
export function deferredReadable(produce: () => Promise<Readable>): Readable {
  const out = new PassThrough();
  let inner: Readable | undefined;
  out.once('close', () => inner?.destroy());
  produce().then(
    (stream) => {
      inner = stream;
      if (out.destroyed) {
        stream.destroy();
        return;
      }
      stream.once('error', (err) => out.destroy(err));
      stream.pipe(out);
    },
    (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}
