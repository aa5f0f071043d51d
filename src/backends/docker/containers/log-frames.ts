/**
 * Frame-level parsing of `GET /containers/{id}/logs` and the joining of its lines.
 *
 * Logs are read frame by frame (not through the stdout/stderr demux) because with
 * `timestamps=1` every frame starts with its own timestamp: a frame boundary is where a new
 * timestamp begins. The json-file driver cuts lines longer than 16 KiB into partial messages,
 * each its own frame with its own timestamp and without a newline; a frame that does not end
 * in `\n` is therefore continued by the next frame of the same stream, and a last frame
 * without `\n` is a final line written without one.
 *
 * @module
 */
import type { LogLine } from '../../../core/schemas/index.js';

/** One multiplexed frame. */
export interface LogFrame {
  /** Which output. */
  stream: 'stdout' | 'stderr';
  /** The payload bytes. */
  payload: Buffer;
}

/** Cuts a byte stream of 8-byte-header frames into frames; chunks may split anywhere. */
export class FrameParser {
  #pending: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the frames it completed. Frames of type 0 and 3 are dropped. */
  push(chunk: Buffer): LogFrame[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: LogFrame[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= 8) {
      const type = this.#pending[offset]!;
      const size = this.#pending.readUInt32BE(offset + 4);
      if (this.#pending.length - offset - 8 < size) break;
      const payload = this.#pending.subarray(offset + 8, offset + 8 + size);
      offset += 8 + size;
      if (type === 1 || type === 2) frames.push({ stream: type === 1 ? 'stdout' : 'stderr', payload });
    }
    this.#pending = this.#pending.subarray(offset);
    return frames;
  }

  /** Bytes of an incomplete frame still held. */
  get buffered(): number {
    return this.#pending.length;
  }
}

// RFC 3339 with nanoseconds, as the engine writes it: `2026-11-28T03:24:24.123456789Z `.
const timestampRe = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) /;

/** Splits `<timestamp> <text>`; a payload without a timestamp keeps all its text. */
export function splitTimestamp(payload: string): { time: Date | undefined; text: string } {
  const m = timestampRe.exec(payload);
  if (!m) return { time: undefined, text: payload };
  // JavaScript dates hold milliseconds: keep three fraction digits.
  const fraction = (m[2] ?? '').slice(0, 4);
  const time = new Date(`${m[1]}${fraction}${m[3]}`);
  return { time: Number.isNaN(time.getTime()) ? undefined : time, text: payload.slice(m[0].length) };
}

/**
 * Joins timestamped frames into lines: partial frames are continued by the next frame of the
 * same stream, and a line keeps the time of its first piece.
 */
export class LogLineAssembler {
  #partial: { stdout?: { time: Date; parts: string[] }; stderr?: { time: Date; parts: string[] } } = {};
  #raw: string | undefined;
  readonly #now: () => Date;

  /** @param now time for payloads without a timestamp (should not happen with `timestamps=1`) */
  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Feeds one frame; returns the lines it completed. */
  push(frame: LogFrame): LogLine[] {
    const { time, text } = splitTimestamp(frame.payload.toString('utf8'));
    const pieces = text.split('\n');
    // What follows the last newline: empty when the frame ended its line.
    const rest = pieces.pop()!;
    const lines: LogLine[] = [];
    let current = this.#partial[frame.stream];
    for (const piece of pieces) {
      if (current) {
        lines.push({ stream: frame.stream, text: stripCr(current.parts.join('') + piece), time: current.time });
        current = undefined;
      } else {
        lines.push({ stream: frame.stream, text: stripCr(piece), time: time ?? this.#now() });
      }
    }
    if (rest !== '') {
      if (current) current.parts.push(rest);
      else current = { time: time ?? this.#now(), parts: [rest] };
    }
    if (current) this.#partial[frame.stream] = current;
    else delete this.#partial[frame.stream];
    return lines;
  }

  /** Feeds raw TTY output (no frames, `\n`-separated timestamped lines) as stdout. */
  pushRaw(chunk: Buffer): LogLine[] {
    const out: LogLine[] = [];
    let text = (this.#raw ?? '') + chunk.toString('utf8');
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const { time, text: line } = splitTimestamp(text.slice(0, nl));
      out.push({ stream: 'stdout', text: stripCr(line), time: time ?? this.#now() });
      text = text.slice(nl + 1);
    }
    this.#raw = text === '' ? undefined : text;
    return out;
  }

  /** Ends the stream: partial lines are complete lines written without a newline. */
  end(): LogLine[] {
    const out: LogLine[] = [];
    if (this.#raw !== undefined) {
      const { time, text } = splitTimestamp(this.#raw);
      out.push({ stream: 'stdout', text: stripCr(text), time: time ?? this.#now() });
      this.#raw = undefined;
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.#partial[stream];
      if (p) out.push({ stream, text: stripCr(p.parts.join('')), time: p.time });
    }
    this.#partial = {};
    return out;
  }
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
