/**
 * The awk machine's data: variables (global and per function call), arrays, and the current
 * record with its lazily split fields. Assigning a field rebuilds `$0` with OFS; assigning
 * `$0` splits again on the next field access; assigning NF cuts or extends the fields.
 *
 * @module
 */
import { compileEre } from './ere.js';
import { fromInput, numberToString, toNumber, toStr, UNINIT, type AwkValue } from './values.js';

/** A variable's storage: a scalar, an array, or (for an unset argument) a link to the caller's. */
export interface Cell {
  /** The scalar value, if one was set. */
  value?: AwkValue;
  /** The array, once the variable is used as one. */
  array?: Map<string, AwkValue>;
  /** The caller's variable an untyped argument stands for (arrays are passed by reference). */
  ref?: Cell;
}

/** A run-time error: awk prints `awk: cmd. line:N: message` and ends with status 2. */
export class AwkRuntimeError extends Error {
  override get name(): string {
    return 'AwkRuntimeError';
  }
}

/**
 * Splits `text` by an awk field separator: `" "` (runs of blanks, ends trimmed), one other
 * character (taken literally, except that a lone backslash is one too), or an ERE.
 */
export function splitBy(text: string, fs: string, literal = false): string[] {
  if (text === '') return [];
  if (fs === ' ') {
    const t = text.replace(/^[ \t\n]+|[ \t\n]+$/g, '');
    return t === '' ? [] : t.split(/[ \t\n]+/);
  }
  if (fs.length === 1 && fs !== '\\') return text.split(fs);
  const re = compileEre(fs, true, literal);
  const parts: string[] = [];
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') {
      // An empty match splits nothing; step past it.
      re.lastIndex++;
      if (re.lastIndex > text.length) break;
      continue;
    }
    parts.push(text.slice(from, m.index));
    from = m.index + m[0].length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** Variables, arrays and the current record. */
export class AwkState {
  /** Global variables by name. */
  readonly globals = new Map<string, Cell>();
  /** Local variables of the functions being called, innermost last. */
  readonly frames: Map<string, Cell>[] = [];
  #record = '';
  #fields: AwkValue[] | undefined = [];
  #nf = 0;
  #fs = ' ';

  constructor() {
    const set = (name: string, v: AwkValue): void => void this.globals.set(name, { value: v });
    set('FS', ' ');
    set('OFS', ' ');
    set('ORS', '\n');
    set('RS', '\n');
    set('NR', 0);
    set('FNR', 0);
    set('SUBSEP', '\x1c');
    set('CONVFMT', '%.6g');
    set('OFMT', '%.6g');
    set('RSTART', 0);
    set('RLENGTH', -1);
    set('FILENAME', '');
  }

  /** The storage of `name` in the current scope (created unset on first use). */
  cell(name: string): Cell {
    const frame = this.frames[this.frames.length - 1];
    const local = frame?.get(name);
    if (local) return local;
    let c = this.globals.get(name);
    if (!c) {
      c = {};
      this.globals.set(name, c);
    }
    return c;
  }

  /** The array behind a cell, making it one (and the caller's variable too, for a linked argument). */
  arrayOf(cell: Cell, name: string): Map<string, AwkValue> {
    if (cell.array) return cell.array;
    if (cell.value !== undefined) throw new AwkRuntimeError(`Can't use scalar '${name}' as array`);
    cell.array = cell.ref ? this.arrayOf(cell.ref, name) : new Map();
    return cell.array;
  }

  /** A scalar variable's value. */
  get(name: string): AwkValue {
    if (name === 'NF') return this.nf;
    const c = this.cell(name);
    if (c.array) throw new AwkRuntimeError(`Can't use array '${name}' in scalar context`);
    return c.value ?? UNINIT;
  }

  /** Sets a scalar variable. */
  set(name: string, v: AwkValue): void {
    if (name === 'NF') {
      this.nf = toNumber(v);
      return;
    }
    const c = this.cell(name);
    if (c.array) throw new AwkRuntimeError(`Can't assign to array '${name}'`);
    c.value = v;
  }

  /** A variable's string value. */
  str(name: string): string {
    return toStr(this.get(name), this.convfmt);
  }

  /** CONVFMT, for number-to-string conversions. */
  get convfmt(): string {
    return toStr(this.globals.get('CONVFMT')?.value ?? '%.6g', '%.6g');
  }

  /** A value as a string (numbers through CONVFMT). */
  toStr(v: AwkValue): string {
    return typeof v === 'number' ? numberToString(v, this.convfmt) : toStr(v, '%.6g');
  }

  /** Replaces the record (`$0`); fields are split on next use. */
  setRecord(text: string): void {
    this.#record = text;
    this.#fields = undefined;
    // The record is split by the FS in force when it was read, even if an action changes FS first.
    this.#fs = this.str('FS');
  }

  #split(): AwkValue[] {
    if (!this.#fields) {
      this.#fields = splitBy(this.#record, this.#fs).map(fromInput);
      this.#nf = this.#fields.length;
    }
    return this.#fields;
  }

  #rebuild(): void {
    const ofs = this.str('OFS');
    this.#record = this.#split()
      .slice(0, this.#nf)
      .map((f) => this.toStr(f))
      .join(ofs);
  }

  /** `$i`. */
  field(i: number): AwkValue {
    if (i < 0) throw new AwkRuntimeError('Access to negative field');
    if (i === 0) return fromInput(this.#record);
    return this.#split()[i - 1] ?? UNINIT;
  }

  /** `$i = v`: `$0` re-splits; any other field rebuilds `$0` with OFS. */
  setField(i: number, v: AwkValue): void {
    if (i < 0) throw new AwkRuntimeError('Access to negative field');
    if (i === 0) {
      this.setRecord(this.toStr(v));
      return;
    }
    const fields = this.#split();
    while (fields.length < i) fields.push(UNINIT);
    fields[i - 1] = v;
    this.#nf = Math.max(this.#nf, i);
    this.#rebuild();
  }

  /** NF (splitting the record if needed). */
  get nf(): number {
    this.#split();
    return this.#nf;
  }

  /** `NF = n`: cuts or pads the fields and rebuilds `$0`. */
  set nf(n: number) {
    const fields = this.#split();
    const want = Math.max(0, Math.trunc(n));
    while (fields.length < want) fields.push(UNINIT);
    fields.length = want;
    this.#nf = want;
    this.#rebuild();
  }
}
