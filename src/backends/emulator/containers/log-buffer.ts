/**
 * A container's output, kept as timestamped lines per stream in bounded memory.
 *
 * Docker's json-file driver keeps everything on disk; the emulator keeps the newest lines up
 * to {@link DEFAULT_LOG_BYTES} per container (text bytes, both streams together) and drops the
 * oldest beyond that, so a chatty long-running program cannot grow memory without bound.
 * Readers that follow are woken when lines arrive and finish when the container stops.
 *
 * @module
 */
import { Writable } from 'node:stream';
import type { LogLine, LogsRequest } from '../../../core/schemas/index.js';
import { throwIfAborted } from '../../../core/errors.js';
import { Waiters } from './waiters.js';

/** Default cap of kept log text per container: 4 MiB. */
export const DEFAULT_LOG_BYTES = 4 * 1024 * 1024;

// A line without a newline is cut here so one endless line cannot grow memory either.
const MAX_PARTIAL = 1024 * 1024;

interface Entry extends LogLine {
  seq: number;
}

/** Options of {@link LogBuffer}. */
export interface LogBufferOptions {
  /** Where line times come from. */
  now: () => Date;
  /** Bytes of text to keep (default {@link DEFAULT_LOG_BYTES}). */
  maxBytes?: number;
}

/** The kept output of one container. */
export class LogBuffer {
  #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  #seq = 0;
  #open = false;
  #partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  #waiters = new Waiters();
  readonly #now: () => Date;
  readonly #maxBytes: number;

  constructor(options: LogBufferOptions) {
    this.#now = options.now;
    this.#maxBytes = options.maxBytes ?? DEFAULT_LOG_BYTES;
  }

  /** Marks the container running: followers keep waiting for lines until {@link close}. */
  open(): void {
    this.#open = true;
  }

  /** Flushes unterminated lines and wakes followers so they finish. */
  close(): void {
    this.flush();
    this.#open = false;
    this.#waiters.wakeAll();
  }

  /** A writable that records what is written to it as lines of `stream`. */
  writable(stream: 'stdout' | 'stderr'): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _enc, callback) => {
        this.append(stream, typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        callback();
      },
      final: (callback) => {
        this.#flushStream(stream);
        callback();
      },
    });
  }

  /** Records text written to `stream`, splitting it into lines. */
  append(stream: 'stdout' | 'stderr', text: string): void {
    let rest = this.#partial[stream] + text;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
      this.#push(stream, rest.slice(0, nl).replace(/\r$/, ''));
      rest = rest.slice(nl + 1);
    }
    if (rest.length > MAX_PARTIAL) {
      this.#push(stream, rest);
      rest = '';
    }
    this.#partial[stream] = rest;
  }

  /** Emits both streams' unterminated last lines. */
  flush(): void {
    this.#flushStream('stdout');
    this.#flushStream('stderr');
  }

  /** Drops every kept line (used when the container is removed). */
  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  /**
   * The lines a `docker logs` request selects; with `follow`, keeps yielding new lines until
   * the container stops or `signal` fires.
   */
  async *read(request: LogsRequest, signal?: AbortSignal): AsyncGenerator<LogLine> {
    const wanted = (e: Entry): boolean =>
      (e.stream === 'stdout' ? request.stdout : request.stderr) &&
      (request.since === undefined || e.time.getTime() >= request.since.getTime()) &&
      (request.until === undefined || e.time.getTime() < request.until.getTime());
    let backlog = this.#entries.slice(this.#head).filter(wanted);
    if (request.tail !== undefined) backlog = request.tail === 0 ? [] : backlog.slice(-request.tail);
    let last = this.#seq;
    for (const e of backlog) {
      throwIfAborted(signal);
      yield { stream: e.stream, text: e.text, time: e.time };
    }
    if (!request.follow) return;
    while (this.#open) {
      throwIfAborted(signal);
      await this.#waiters.wait(signal);
      const fresh = this.#entries.slice(this.#head).filter((e) => e.seq > last);
      for (const e of fresh) {
        last = e.seq;
        if (request.until !== undefined && e.time.getTime() >= request.until.getTime()) return;
        if (wanted(e)) yield { stream: e.stream, text: e.text, time: e.time };
      }
    }
  }

  #flushStream(stream: 'stdout' | 'stderr'): void {
    if (this.#partial[stream] !== '') this.#push(stream, this.#partial[stream]);
    this.#partial[stream] = '';
  }

  #push(stream: 'stdout' | 'stderr', text: string): void {
    this.#entries.push({ seq: ++this.#seq, stream, text, time: this.#now() });
    this.#bytes += text.length + 1;
    while (this.#bytes > this.#maxBytes && this.#head < this.#entries.length - 1) {
      this.#bytes -= this.#entries[this.#head]!.text.length + 1;
      this.#head++;
    }
    // Compact now and then instead of shifting the array on every drop.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    this.#waiters.wakeAll();
  }
}
