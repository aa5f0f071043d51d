/**
 * The output side of an emulated pseudo-terminal.
 *
 * A container or exec started with a TTY has one output stream, and the terminal's line
 * discipline turns every `\n` into `\r\n` (`onlcr`), which is what Docker clients read from a
 * TTY container. Programs see `isTTY` on the stream, as Node's `tty.WriteStream` has it, so
 * `test -t 1` holds inside such a container.
 *
 * @module
 */
import { Writable } from 'node:stream';

/** A Writable that forwards to `target` with `\n` turned into `\r\n`, and reports `isTTY`. */
export class TerminalOutput extends Writable {
  /** Always true: what `isatty()` would say of this stream. */
  readonly isTTY = true;
  readonly #target: Writable;
  #lastWasCR = false;

  constructor(target: Writable) {
    super();
    this.#target = target;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const converted = this.#onlcr(chunk);
    if (this.#target.write(converted)) callback();
    else this.#target.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#target.end(() => callback());
  }

  /** `\n` -> `\r\n`, leaving a `\r\n` the program wrote itself as it is (across chunks too). */
  #onlcr(chunk: Buffer): Buffer {
    let extra = 0;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10 && !(i === 0 ? this.#lastWasCR : chunk[i - 1] === 13)) extra++;
    if (extra === 0) {
      if (chunk.length > 0) this.#lastWasCR = chunk[chunk.length - 1] === 13;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 10 && !(i === 0 ? this.#lastWasCR : chunk[i - 1] === 13)) out[o++] = 13;
      out[o++] = byte;
    }
    this.#lastWasCR = chunk[chunk.length - 1] === 13;
    return out;
  }
}
