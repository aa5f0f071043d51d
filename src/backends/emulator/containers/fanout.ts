/**
 * Where a main process's output goes: always into the container's logs, and to every reader
 * attached at the moment (`attach`). A write completes once every attached reader has taken
 * it, so a slow attached reader slows the program down, as Docker's attach does, instead of
 * buffering without bound.
 *
 * @module
 */
import { PassThrough, Writable } from 'node:stream';
import type { LogBuffer } from './log-buffer.js';

/** One stream (stdout or stderr) of a main process. */
export class OutputFanout extends Writable {
  readonly #logs: LogBuffer;
  readonly #stream: 'stdout' | 'stderr';
  readonly #readers: Set<PassThrough>;

  /**
   * @param readers the container's attached readers; shared with the record so that a reader
   *   attached before `start` (as `docker run` attaches) receives the run's output
   */
  constructor(logs: LogBuffer, stream: 'stdout' | 'stderr', readers: Set<PassThrough>) {
    super();
    this.#logs = logs;
    this.#stream = stream;
    this.#readers = readers;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#logs.append(this.#stream, chunk.toString('utf8'));
    const slow = [...this.#readers].filter((r) => !r.destroyed && !r.write(chunk));
    if (slow.length === 0) return callback();
    let pending = slow.length;
    for (const r of slow) {
      const done = (): void => {
        r.off('drain', done);
        r.off('close', done);
        if (--pending === 0) callback();
      };
      r.on('drain', done);
      r.on('close', done);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The run is over: attached streams end with it, as Docker's attach does.
    for (const r of this.#readers) r.end();
    this.#readers.clear();
    callback();
  }
}
