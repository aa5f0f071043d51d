/**
 * awk's input and output: the main input across file operands (with `var=value` operands
 * applied when reached), `getline < file` and `cmd | getline` readers, and output to stdout,
 * files (`>` truncates on first use, `>>` appends), `/dev/stdout`, `/dev/stderr` and commands
 * (`print | "cmd"`: the lines are collected and the command runs with them as its stdin when
 * it is closed or awk ends). Output is buffered and flushed with backpressure.
 *
 * @module
 */
import { PassThrough, Writable } from 'node:stream';
import type { ProgramContext } from '../../../program.js';
import { errorText, readAll, readFileOf, readLine, resolvePath, write } from '../../io.js';
import { inputChunks } from '../input.js';
import { AwkRuntimeError, type AwkState } from './state.js';
import { fromInput, toNumber } from './values.js';

/** Splits input text into records by RS: newline, one other character, or "" (paragraphs). */
export function splitRecords(text: string, rs: string): string[] {
  if (rs === '') {
    const t = text.replace(/^\n+/, '').replace(/\n+$/, '');
    return t === '' ? [] : t.split(/\n\n+/);
  }
  const sep = rs[0]!;
  const parts = text.split(sep);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A missing input file: fatal, as in busybox (status 1, END not run). */
export class AwkInputError extends Error {}

/** Records read ahead from one source. */
class RecordQueue {
  #records: string[];
  #at = 0;
  constructor(records: string[]) {
    this.#records = records;
  }
  /** The next record, or null at the end. */
  next(): string | null {
    return this.#at < this.#records.length ? this.#records[this.#at++]! : null;
  }
}

/** Lines of stdin as they arrive, split a chunk at a time. */
class StdinLines {
  readonly #chunks: AsyncGenerator<Buffer>;
  #lines: string[] = [];
  #at = 0;
  #partial = '';
  #ended = false;

  constructor(ctx: ProgramContext) {
    this.#chunks = inputChunks(ctx);
  }

  /** Whether a whole line is already buffered (so output may wait for more before a flush). */
  get buffered(): boolean {
    return this.#at < this.#lines.length;
  }

  /** The next line, or null at the end of input. */
  async next(): Promise<string | null> {
    while (this.#at >= this.#lines.length) {
      if (this.#ended) return null;
      const { value, done } = await this.#chunks.next();
      if (done) {
        this.#ended = true;
        this.#lines = this.#partial === '' ? [] : [this.#partial];
        this.#partial = '';
      } else {
        const parts = (this.#partial + value.toString('utf8')).split('\n');
        this.#partial = parts.pop()!;
        this.#lines = parts;
      }
      this.#at = 0;
    }
    return this.#lines[this.#at++]!;
  }
}

/** The main input: operands in order, stdin when none is a file. */
export class MainInput {
  readonly #ctx: ProgramContext;
  readonly #state: AwkState;
  readonly #operands: string[];
  #index = 0;
  #current: RecordQueue | StdinLines | undefined;
  #sawFile = false;

  constructor(ctx: ProgramContext, state: AwkState, operands: string[]) {
    this.#ctx = ctx;
    this.#state = state;
    this.#operands = operands;
  }

  /** Whether the next record is at hand without waiting (then output may be held back). */
  get buffered(): boolean {
    return this.#current instanceof RecordQueue || (this.#current?.buffered ?? false);
  }

  /** Abandons the current file (`nextfile`). */
  skipFile(): void {
    this.#current = undefined;
  }

  async #open(name: string): Promise<void> {
    this.#sawFile = true;
    this.#state.set('FILENAME', name);
    this.#state.set('FNR', 0);
    const rs = this.#state.str('RS');
    if (name === '-' || name === '/dev/stdin') {
      // Streamed in chunks: `yes | awk 'NR==3 {exit}'` must end without the whole input.
      if (rs === '\n') this.#current = new StdinLines(this.#ctx);
      else {
        const data = await readAll(this.#ctx.stdin, this.#ctx.signal);
        this.#current = new RecordQueue(splitRecords(data.toString('utf8'), rs));
      }
      return;
    }
    let text: string;
    try {
      text = (await readFileOf(this.#ctx, name)).toString('utf8');
    } catch (e) {
      throw new AwkInputError(`${name}: ${errorText(e)}`);
    }
    this.#current = new RecordQueue(splitRecords(text, rs));
  }

  /** The next record of the main input (updating NR, FNR, FILENAME), or null at its end. */
  async next(): Promise<string | null> {
    for (;;) {
      if (this.#current === undefined) {
        const op = this.#operands[this.#index++];
        if (op === undefined) {
          if (this.#sawFile) return null;
          await this.#open('-');
          this.#state.set('FILENAME', '');
        } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(op)) {
          const eq = op.indexOf('=');
          this.#state.set(op.slice(0, eq), fromInput(unescape(op.slice(eq + 1))));
          continue;
        } else if (op === '') continue;
        else await this.#open(op);
      }
      const rec = await this.#current!.next();
      if (rec === null) {
        this.#current = undefined;
        continue;
      }
      this.#state.set('NR', toNumber(this.#state.get('NR')) + 1);
      this.#state.set('FNR', toNumber(this.#state.get('FNR')) + 1);
      return rec;
    }
  }
}

/** Processes the escapes of a command-line assignment (`-v x='a\tb'`), as awk does for strings. */
export function unescape(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return s.replace(/\\([0-7]{1,3}|.)/gs, (_, c: string) => (/^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8)) : map[c] ?? `\\${c}`));
}

/** Where print output goes: the buffered stdout, files, standard error, commands. */
export class Outputs {
  readonly #ctx: ProgramContext;
  readonly #state: AwkState;
  #buffer = '';
  readonly #opened = new Set<string>();
  readonly #pipes = new Map<string, string[]>();
  readonly #readers = new Map<string, RecordQueue>();

  constructor(ctx: ProgramContext, state: AwkState) {
    this.#ctx = ctx;
    this.#state = state;
  }

  /** How much stdout is waiting to be flushed. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Writes to stdout (buffered; {@link flush} sends it). */
  stdout(text: string): void {
    this.#buffer += text;
  }

  /** Sends buffered stdout, waiting for the reader when it asks us to. */
  async flush(): Promise<void> {
    if (this.#buffer === '') return;
    const data = this.#buffer;
    this.#buffer = '';
    await write(this.#ctx.stdout, data, this.#ctx.signal);
  }

  /** Output through a redirection. */
  async redirect(mode: '>' | '>>' | '|', target: string, text: string): Promise<void> {
    if (mode === '|') {
      const lines = this.#pipes.get(target) ?? [];
      lines.push(text);
      this.#pipes.set(target, lines);
      return;
    }
    if (target === '/dev/stdout' || target === '-') return this.stdout(text);
    if (target === '/dev/null') return;
    if (target === '/dev/stderr') {
      await this.flush();
      await write(this.#ctx.stderr, text, this.#ctx.signal);
      return;
    }
    const path = resolvePath(this.#ctx.cwd, target);
    try {
      if (mode === '>' && !this.#opened.has(path)) await this.#ctx.fs.writeFile(path, text);
      else await this.#ctx.fs.appendFile(path, text);
    } catch (e) {
      throw new AwkRuntimeError(`cannot open '${target}' for writing: ${errorText(e)}`);
    }
    this.#opened.add(path);
  }

  /** Runs a command with `sh -c`, feeding `stdin`; stdout as given. */
  async run(command: string, stdin?: string, stdout?: Writable): Promise<number> {
    await this.flush();
    const input = new PassThrough();
    input.end(stdin ?? '');
    return this.#ctx.exec(['sh', '-c', command], { stdin: input, ...(stdout && { stdout }) });
  }

  /** `getline < file` / `cmd | getline`: the next record of that source, null at its end. */
  async readFrom(kind: 'file' | 'command', name: string): Promise<string | null> {
    const key = `${kind}:${name}`;
    let q = this.#readers.get(key);
    if (!q) {
      let text: string;
      if (kind === 'command') {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb): void {
            chunks.push(Buffer.from(chunk));
            cb();
          },
        });
        await this.run(name, '', sink);
        text = Buffer.concat(chunks).toString('utf8');
      } else if (name === '-' || name === '/dev/stdin') {
        return readLine(this.#ctx.stdin, this.#ctx.signal);
      } else {
        text = (await readFileOf(this.#ctx, name)).toString('utf8');
      }
      q = new RecordQueue(splitRecords(text, this.#state.str('RS')));
      this.#readers.set(key, q);
    }
    return q.next();
  }

  /** `close(name)`: ends a reader, a file, or runs a collected pipe. Resolves to its status. */
  async close(name: string): Promise<number> {
    // Closing what was never opened is not an error in busybox: 0.
    let status = 0;
    this.#readers.delete(`file:${name}`);
    this.#readers.delete(`command:${name}`);
    this.#opened.delete(resolvePath(this.#ctx.cwd, name));
    const lines = this.#pipes.get(name);
    if (lines) {
      this.#pipes.delete(name);
      status = await this.run(name, lines.join(''));
    }
    return status;
  }

  /** At exit: runs every pipe still open and flushes stdout. */
  async finish(): Promise<void> {
    for (const name of [...this.#pipes.keys()]) await this.close(name);
    await this.flush();
  }
}
