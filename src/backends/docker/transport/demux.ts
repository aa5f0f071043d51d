/**
 * Splitting the engine's multiplexed stdout/stderr stream, with backpressure.
 *
 * Without a TTY, logs, attach and exec interleave both outputs in frames: one stream-type
 * byte (0 stdin, 1 stdout, 2 stderr, 3 engine error), three zero bytes, a big-endian uint32
 * payload length, then the payload. Frames split across chunks and many frames in a chunk
 * are both normal. Payload is forwarded piece by piece, never buffered whole, and when an
 * output's consumer is slow we stop reading the source, so TCP pushes back on the engine
 * instead of memory growing (dockerode's demux writes regardless).
 *
 * @module
 */
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../../core/errors.js';
import { classifyEngineMessage, errorForCode } from './engine-errors.js';

/** Options of {@link demuxDockerStream}. */
export interface DemuxOptions {
  /** The stream is a TTY's raw bytes, not frames: it becomes stdout as is. */
  tty?: boolean;
  /** Buffer of each output before reading pauses, bytes (default 64 KiB). */
  highWaterMark?: number;
}

/** The two outputs of a demultiplexed stream. */
export interface DemuxedStreams {
  /** Frames of type 1 (and 0, which the engine never sends in practice). */
  stdout: Readable;
  /** Frames of type 2. */
  stderr: Readable;
}

const HEADER_SIZE = 8;
const SYSTEM_ERROR_LIMIT = 64 * 1024;

/**
 * Splits a multiplexed Docker stream into stdout and stderr.
 *
 * Both outputs end when the source ends. A source error destroys both, and is emitted on
 * each output that has an 'error' listener (on stdout when neither has one). Read
 * both (or `resume()` the one you ignore): a full output pauses the source for both, as a
 * pipe would. Destroying an output discards its frames; destroying both destroys the source.
 *
 * @example
 * ```ts
 * const { stdout, stderr } = demuxDockerStream(await client.stream('GET', `/containers/${id}/logs`,
 *   { query: { stdout: true, stderr: true, follow: true }, longLived: true }));
 * stdout.pipe(process.stdout); stderr.pipe(process.stderr);
 * ```
 */
export function demuxDockerStream(source: Readable, options: DemuxOptions = {}): DemuxedStreams {
  if (options.tty) {
    const stderr = new Readable({ read() {} });
    stderr.push(null);
    return { stdout: source, stderr };
  }
  return new Demuxer(source, options.highWaterMark ?? 64 * 1024).outputs;
}

/** The frame parser and flow control behind {@link demuxDockerStream}. */
class Demuxer {
  readonly outputs: DemuxedStreams;
  #source: Readable;
  #header = Buffer.alloc(HEADER_SIZE);
  #headerFill = 0;
  #remaining = 0;
  #target: Readable | 'system' | undefined;
  #systemError: Buffer[] = [];
  #leftover: Buffer | undefined;
  #waiting: Readable | undefined;
  #pumping = false;
  #sourceEnded = false;
  #finished = false;

  constructor(source: Readable, highWaterMark: number) {
    this.#source = source;
    const output = (): Readable =>
      new Readable({
        highWaterMark,
        read: () => this.#resumeFrom(),
        destroy: (error, callback) => {
          callback(error);
          this.#onOutputDestroyed();
        },
      });
    this.outputs = { stdout: output(), stderr: output() };
    source.on('readable', () => this.#pump());
    source.once('end', () => this.#sourceDone());
    source.once('error', (error) => this.#fail(error));
    // A socket destroyed without an error (client closed) still ends the outputs.
    source.once('close', () => {
      if (!source.readableEnded && !source.errored) this.#sourceDone();
    });
  }

  #resumeFrom(): void {
    this.#waiting = undefined;
    this.#pump();
  }

  #pump(): void {
    if (this.#pumping || this.#finished) return;
    this.#pumping = true;
    try {
      while (this.#waiting === undefined) {
        let chunk = this.#leftover;
        this.#leftover = undefined;
        chunk ??= (this.#source.read() as Buffer | null) ?? undefined;
        if (chunk === undefined) {
          if (this.#sourceEnded) this.#finish();
          break;
        }
        this.#parse(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The source emits 'end' as soon as its last chunk was read, which may be before we parsed
   * all of it (an output was full): end the outputs only once nothing is left over.
   */
  #sourceDone(): void {
    this.#sourceEnded = true;
    if (this.#leftover === undefined && !this.#pumping) this.#finish();
  }

  /** Consumes `chunk` until done or an output is full; keeps the rest in `#leftover`. */
  #parse(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#finished) return;
      if (this.#remaining === 0) {
        const take = Math.min(HEADER_SIZE - this.#headerFill, chunk.length - offset);
        chunk.copy(this.#header, this.#headerFill, offset, offset + take);
        this.#headerFill += take;
        offset += take;
        if (this.#headerFill < HEADER_SIZE) return;
        this.#headerFill = 0;
        this.#startFrame();
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      this.#remaining -= take;
      this.#deliver(piece);
      if (this.#remaining === 0 && this.#target === 'system') this.#systemFrameDone();
      if (this.#waiting !== undefined) {
        if (offset < chunk.length) this.#leftover = chunk.subarray(offset);
        return;
      }
    }
  }

  #startFrame(): void {
    const type = this.#header[0]!;
    if (type > 3 || this.#header[1] !== 0 || this.#header[2] !== 0 || this.#header[3] !== 0) {
      this.#fail(
        new InvalidArgumentError('The stream is not multiplexed (was the container created with a TTY?)', {
          details: { reason: 'not-multiplexed', header: this.#header.toString('hex') },
        }),
      );
      return;
    }
    this.#remaining = this.#header.readUInt32BE(4);
    this.#target = type === 3 ? 'system' : type === 2 ? this.outputs.stderr : this.outputs.stdout;
    if (this.#remaining === 0 && type === 3) this.#systemFrameDone();
  }

  #deliver(piece: Buffer): void {
    const target = this.#target;
    if (target === 'system') {
      const size = this.#systemError.reduce((n, b) => n + b.length, 0);
      if (size < SYSTEM_ERROR_LIMIT) this.#systemError.push(piece.subarray(0, SYSTEM_ERROR_LIMIT - size));
      return;
    }
    // A consumer that destroyed its output does not want the data; do not wait for it.
    if (target === undefined || target.destroyed) return;
    // Copy: the source may reuse its buffers, and the consumer may hold ours for long.
    if (!target.push(Buffer.from(piece))) this.#waiting = target;
  }

  /** A type-3 frame carries an error the engine hit mid-stream: it ends both outputs. */
  #systemFrameDone(): void {
    const message = Buffer.concat(this.#systemError).toString('utf8').trim() || 'Docker Engine reported a stream error';
    this.#systemError = [];
    const { code, reason } = classifyEngineMessage(500, message);
    const details: Record<string, unknown> = { message, ...(reason ? { reason } : {}) };
    this.#fail(errorForCode(code, message, details));
    this.#source.destroy();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const output of [this.outputs.stdout, this.outputs.stderr]) {
      if (!output.destroyed) output.push(null);
    }
  }

  #fail(error: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    const outputs = [this.outputs.stdout, this.outputs.stderr].filter((o) => !o.destroyed);
    // Callers often read only stdout; an 'error' on a stderr nobody listens to would crash
    // the process. Report to the outputs someone listens on, and to stdout if nobody does.
    const listened = outputs.filter((o) => o.listenerCount('error') > 0);
    const reportTo = listened.length > 0 ? listened : outputs.slice(0, 1);
    for (const output of outputs) {
      if (reportTo.includes(output)) output.destroy(error);
      else output.destroy();
    }
  }

  #onOutputDestroyed(): void {
    const { stdout, stderr } = this.outputs;
    if (stdout.destroyed && stderr.destroyed) {
      this.#finished = true;
      this.#source.destroy();
      return;
    }
    // The one still alive may have been waiting on the destroyed one.
    if (this.#waiting?.destroyed) this.#resumeFrom();
  }
}
