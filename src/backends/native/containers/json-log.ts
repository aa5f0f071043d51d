/**
 * Container output as Docker's json-file driver keeps it: one JSON object per line,
 * `{"log":"text\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}`, a message per
 * output line (a final line without newline is kept without one; a line longer than 16 KiB is
 * split, as Docker's partial messages are). The supervisor writes it; any process reads it.
 *
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine, LogsRequest } from '../../../core/schemas/index.js';

/** Docker's buffer size for one message. */
const MAX_MESSAGE = 16 * 1024;

/** Now, as RFC 3339 with microseconds (Docker writes nanoseconds; JavaScript clocks give micro). */
export function preciseNow(): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const ms = Math.floor(micros / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${String(micros % 1_000_000).padStart(6, '0')}000Z`;
}

/** Appends a container's output to its json-file log. */
export class JsonLogWriter {
  readonly #out: WriteStream;
  readonly #pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(path: string) {
    this.#out = createWriteStream(path, { flags: 'a' });
    this.#out.on('error', () => undefined);
  }

  #emit(stream: 'stdout' | 'stderr', text: string, time: string): boolean {
    return this.#out.write(`${JSON.stringify({ log: text, stream, time })}\n`);
  }

  /**
   * Adds a chunk of output, received at `time`; resolves once the log can take more (so a
   * flooding container is slowed to the disk's pace instead of filling memory).
   */
  async write(stream: 'stdout' | 'stderr', chunk: Buffer, time = preciseNow()): Promise<void> {
    let text = this.#pending[stream] + this.#decoders[stream].write(chunk);
    let room = true;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      room = this.#emit(stream, text.slice(0, nl + 1), time) && room;
      text = text.slice(nl + 1);
    }
    while (text.length >= MAX_MESSAGE) {
      room = this.#emit(stream, text.slice(0, MAX_MESSAGE), time) && room;
      text = text.slice(MAX_MESSAGE);
    }
    this.#pending[stream] = text;
    if (!room) await new Promise<void>((resolve) => this.#out.once('drain', resolve));
  }

  /** Writes a stream's unfinished last line (at the stream's end). */
  flush(stream: 'stdout' | 'stderr', time = preciseNow()): void {
    const rest = this.#pending[stream] + this.#decoders[stream].end();
    this.#pending[stream] = '';
    if (rest) this.#emit(stream, rest, time);
  }

  /** Flushes both streams and closes the file once everything is on disk. */
  async close(): Promise<void> {
    this.flush('stdout');
    this.flush('stderr');
    await new Promise<void>((resolve) => this.#out.end(resolve));
  }
}

/** One parsed log record. */
interface Record_ {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

function parseRecord(line: string): Record_ | undefined {
  try {
    const value = JSON.parse(line) as Partial<Record_>;
    if (typeof value.log !== 'string' || (value.stream !== 'stdout' && value.stream !== 'stderr') || typeof value.time !== 'string') return undefined;
    return value as Record_;
  } catch {
    return undefined;
  }
}

/** Turns records into lines: the text without its terminator, partial messages joined. */
class LineAssembler {
  readonly #partial: Record<'stdout' | 'stderr', { text: string; time: Date } | undefined> = { stdout: undefined, stderr: undefined };

  push(record: Record_): LogLine | undefined {
    const part = this.#partial[record.stream];
    const text = (part?.text ?? '') + record.log;
    const time = part?.time ?? new Date(record.time);
    if (text.endsWith('\n')) {
      this.#partial[record.stream] = undefined;
      return { stream: record.stream, text: text.slice(0, -1).replace(/\r$/, ''), time };
    }
    this.#partial[record.stream] = { text, time };
    return undefined;
  }

  /** The unterminated last lines (at the end of the log). */
  rest(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const part = this.#partial[stream];
      if (part) out.push({ stream, text: part.text, time: part.time });
      this.#partial[stream] = undefined;
    }
    return out.sort((a, b) => a.time.getTime() - b.time.getTime());
  }
}

const READ_CHUNK = 1024 * 1024;

async function readLogRecordsWhole(handle: import('node:fs/promises').FileHandle, offset: number): Promise<{ lines: string[]; offset: number }> {
  const { size } = await handle.stat();
  const buffer = Buffer.alloc(size - offset);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
  const text = buffer.subarray(0, bytesRead).toString('utf8');
  const end = text.lastIndexOf('\n');
  if (end === -1) return { lines: [], offset };
  return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
}

/** Reads a json-file log from `offset`; resolves the records and the offset after the last whole line. */
export async function readLogRecords(path: string, offset: number): Promise<{ lines: string[]; offset: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], offset };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { lines: [], offset };
    // At most 1 MiB per read: a long log is read in pieces, never whole into memory.
    const buffer = Buffer.alloc(Math.min(size - offset, READ_CHUNK));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      // One record longer than a chunk (cannot happen with 16 KiB messages): read it whole.
      if (bytesRead === READ_CHUNK) return readLogRecordsWhole(handle, offset);
      return { lines: [], offset };
    }
    return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    await handle.close();
  }
}

/** Whether a line passes the request's stream and time filters. */
function wanted(line: LogLine, request: LogsRequest): boolean {
  if (line.stream === 'stdout' ? !request.stdout : !request.stderr) return false;
  if (request.since && line.time < request.since) return false;
  if (request.until && line.time >= request.until) return false;
  return true;
}

/** Hooks {@link readLogs} follows with. */
export interface FollowHooks {
  /** Whether the container is still running (following ends once it is not). */
  running(): Promise<boolean>;
  /** Resolves when the log may have grown (or after a while). */
  changed(signal: AbortSignal | undefined): Promise<void>;
}

/**
 * The lines of a json-file log, filtered as `docker logs` does; with `follow`, new lines as
 * they come until the container stops (the supervisor writes the last output before it
 * records the exit, so the lines read after seeing it stopped are the last ones).
 */
export async function* readLogs(path: string, request: LogsRequest, follow?: FollowHooks, signal?: AbortSignal): AsyncGenerator<LogLine> {
  const assembler = new LineAssembler();
  let offset = 0;
  const batch = async (): Promise<LogLine[]> => {
    const read = await readLogRecords(path, offset);
    offset = read.offset;
    const out: LogLine[] = [];
    for (const raw of read.lines) {
      const record = parseRecord(raw);
      const line = record && assembler.push(record);
      if (line && wanted(line, request)) out.push(line);
    }
    return out;
  };
  // The lines there are now: streamed, or (with tail) only the last N kept.
  const tail: LogLine[] = [];
  for (;;) {
    const before = offset;
    const lines = await batch();
    if (offset === before) break;
    for (const line of lines) {
      if (request.tail === undefined) {
        yield line;
      } else if (request.tail > 0) {
        tail.push(line);
        if (tail.length > request.tail) tail.shift();
      }
    }
  }
  const stillRunning = follow ? await follow.running() : false;
  if (!stillRunning) {
    for (const line of assembler.rest().filter((l) => wanted(l, request))) {
      if (request.tail === undefined) yield line;
      else if (request.tail > 0) {
        tail.push(line);
        if (tail.length > request.tail) tail.shift();
      }
    }
  }
  yield* tail;
  if (!follow || !stillRunning) return;
  for (;;) {
    signal?.throwIfAborted();
    const running = await follow.running();
    for (let before = -1; before !== offset;) {
      before = offset;
      yield* await batch();
    }
    if (!running) {
      yield* assembler.rest().filter((l) => wanted(l, request));
      return;
    }
    await follow.changed(signal);
  }
}
