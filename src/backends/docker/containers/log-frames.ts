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
const NEWLINE = 0x0a;

/**
 * Splits `<timestamp> <text>` at the byte level (the text is decoded later, once a whole line
 * is known, so a UTF-8 character cut by a 16 KiB frame boundary survives). A payload without a
 * timestamp keeps all its bytes.
 */
export function splitTimestamp(payload: Buffer): { time: Date | undefined; body: Buffer } {
  // The timestamp is ASCII and at most ~36 bytes: look at a short latin1 prefix only.
  const m = timestampRe.exec(payload.toString('latin1', 0, Math.min(payload.length, 48)));
  if (!m) return { time: undefined, body: payload };
  // JavaScript dates hold milliseconds: keep three fraction digits.
  const fraction = (m[2] ?? '').slice(0, 4);
  const time = new Date(`${m[1]}${fraction}${m[3]}`);
  return { time: Number.isNaN(time.getTime()) ? undefined : time, body: payload.subarray(m[0].length) };
}

/** A line being assembled from partial frames. */
interface PartialLine {
  time: Date;
  parts: Buffer[];
}

/**
 * Joins timestamped frames into lines: partial frames are continued by the next frame of the
 * same stream, and a line keeps the time of its first piece.
 */
export class LogLineAssembler {
  #partial: { stdout?: PartialLine | undefined; stderr?: PartialLine | undefined } = {};
  #raw: Buffer | undefined;
  readonly #now: () => Date;

  /** @param now time for payloads without a timestamp (should not happen with `timestamps=1`) */
  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Feeds one frame; returns the lines it completed. */
  push(frame: LogFrame): LogLine[] {
    const { time, body } = splitTimestamp(frame.payload);
    const lines: LogLine[] = [];
    let current = this.#partial[frame.stream];
    let start = 0;
    for (let nl = body.indexOf(NEWLINE); nl >= 0; nl = body.indexOf(NEWLINE, start)) {
      const piece = body.subarray(start, nl);
      if (current) {
        current.parts.push(piece);
        lines.push({ stream: frame.stream, text: decodeLine(current.parts), time: current.time });
        current = undefined;
      } else {
        lines.push({ stream: frame.stream, text: decodeLine([piece]), time: time ?? this.#now() });
      }
      start = nl + 1;
    }
    // What follows the last newline: nothing when the frame ended its line.
    if (start < body.length) {
      const rest = body.subarray(start);
      if (current) current.parts.push(rest);
      else current = { time: time ?? this.#now(), parts: [rest] };
    }
    this.#partial[frame.stream] = current;
    return lines;
  }

  /** Feeds raw TTY output (no frames, `\n`-separated timestamped lines) as stdout. */
  pushRaw(chunk: Buffer): LogLine[] {
    const out: LogLine[] = [];
    const data = this.#raw ? Buffer.concat([this.#raw, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      out.push(this.#rawLine(data.subarray(start, nl)));
      start = nl + 1;
    }
    this.#raw = start < data.length ? data.subarray(start) : undefined;
    return out;
  }

  /** Ends the stream: partial lines are complete lines written without a newline. */
  end(): LogLine[] {
    const out: LogLine[] = [];
    if (this.#raw !== undefined) out.push(this.#rawLine(this.#raw));
    this.#raw = undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.#partial[stream];
      if (p) out.push({ stream, text: decodeLine(p.parts), time: p.time });
    }
    this.#partial = {};
    return out;
  }

  #rawLine(bytes: Buffer): LogLine {
    const { time, body } = splitTimestamp(bytes);
    return { stream: 'stdout', text: decodeLine([body]), time: time ?? this.#now() };
  }
}

/** Decodes a line's pieces as UTF-8, without a trailing CR (TTY output ends lines with CRLF). */
function decodeLine(parts: readonly Buffer[]): string {
  const text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
