/**
 * Evaluates awk expressions and statements. Evaluation is async because getline, system(),
 * pipes and output with backpressure all wait on the container; `next`, `exit` and `return`
 * unwind as exceptions, `break`/`continue` as completion values.
 *
 * @module
 */
import type { ProgramContext } from '../../../program.js';
import { SignalledError } from '../../io.js';
import type { AwkProgram, Expr, LValue, Stmt } from './ast.js';
import { callBuiltin } from './builtins.js';
import { compileEre } from './ere.js';
import { FormatError, formatValues } from './format.js';
import { AwkRuntimeError, AwkState, type Cell } from './state.js';
import { MainInput, Outputs } from './streams.js';
import { compareValues, fromInput, numberToString, StrNum, toBool, toNumber, toStr, UNINIT, type AwkValue } from './values.js';

/** `next`: stop the rules for this record. */
export class NextSignal {}
/** `nextfile`: stop this record and the rest of its file. */
export class NextFileSignal {}
/** `exit [code]`. */
export class ExitSignal {
  /** The status given, if any. */
  readonly code: number | undefined;
  constructor(code: number | undefined) {
    this.code = code;
  }
}
class ReturnSignal {
  constructor(readonly value: AwkValue) {}
}

type Flow = 'normal' | 'break' | 'continue';

const MAX_DEPTH = 1000;

/** The awk machine: state, I/O and the evaluator over one parsed program. */
export class Interpreter {
  /** Variables, arrays and the current record. */
  readonly state = new AwkState();
  /** Standard output, files, pipes and getline sources. */
  readonly out: Outputs;
  /** The main input (file operands or stdin). */
  readonly input: MainInput;
  /** The program's context (I/O, fs, exec, signal). */
  readonly ctx: ProgramContext;
  readonly #program: AwkProgram;
  /** The state of rand()'s generator. */
  seed = 0;
  /** The seed last given to srand(), which the next srand() returns. */
  prevSeed = 0;

  constructor(ctx: ProgramContext, program: AwkProgram, operands: string[]) {
    this.ctx = ctx;
    this.#program = program;
    this.out = new Outputs(ctx, this.state);
    this.input = new MainInput(ctx, this.state, operands);
  }

  /** A regex operand: a literal `/re/`, or any expression's string as a dynamic regex. */
  async regexOf(e: Expr, global = false): Promise<RegExp> {
    const src = e.type === 'regex' ? e.source : this.state.toStr(await this.eval(e));
    try {
      return compileEre(src, global, e.type === 'regex');
    } catch {
      throw new AwkRuntimeError(`bad regex '${src}'`);
    }
  }

  /** The array subscript of a list (joined by SUBSEP). */
  async key(subscripts: Expr[]): Promise<string> {
    const parts: string[] = [];
    for (const s of subscripts) parts.push(this.state.toStr(await this.eval(s)));
    return parts.join(parts.length > 1 ? this.state.str('SUBSEP') : '');
  }

  /** The array named `name` in the current scope. */
  array(name: string): Map<string, AwkValue> {
    return this.state.arrayOf(this.state.cell(name), name);
  }

  /**
   * Resolves an lvalue once (its subscript or field number evaluated a single time), so
   * `a[i++] += 1` steps `i` once and the target is fixed before the right side runs.
   */
  async ref(t: LValue): Promise<{ get(): AwkValue; set(v: AwkValue): void }> {
    const st = this.state;
    if (t.type === 'var') return { get: () => st.get(t.name), set: (v) => st.set(t.name, v) };
    if (t.type === 'field') {
      const i = toNumber(await this.eval(t.index));
      return { get: () => st.field(i), set: (v) => st.setField(i, v) };
    }
    const k = await this.key(t.subscripts);
    return {
      get: () => {
        const arr = this.array(t.name);
        let v = arr.get(k);
        if (v === undefined) {
          // Referencing an element creates it, as in every awk.
          v = UNINIT;
          arr.set(k, v);
        }
        return v;
      },
      set: (v) => void this.array(t.name).set(k, v),
    };
  }

  /** Reads an lvalue. */
  async read(t: LValue): Promise<AwkValue> {
    return (await this.ref(t)).get();
  }

  /** Assigns an lvalue. */
  async assign(t: LValue, v: AwkValue): Promise<void> {
    (await this.ref(t)).set(v);
  }

  #arith(op: string, a: number, b: number): number {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/':
        if (b === 0) throw new AwkRuntimeError('Division by zero');
        return a / b;
      case '%':
        if (b === 0) throw new AwkRuntimeError('Division by zero');
        return a % b;
      default: return a ** b;
    }
  }

  /** Evaluates an expression. */
  async eval(e: Expr): Promise<AwkValue> {
    switch (e.type) {
      case 'num': return e.value;
      case 'str': return e.value;
      case 'regex': return (await this.regexOf(e)).test(this.state.toStr(this.state.field(0))) ? 1 : 0;
      case 'var':
      case 'index':
      case 'field':
        return this.read(e);
      case 'group':
        if (e.items.length !== 1) throw new AwkRuntimeError('Unexpected grouping');
        return this.eval(e.items[0]!);
      case 'assign': {
        const target = await this.ref(e.target);
        let v = await this.eval(e.value);
        if (e.op !== '=') v = this.#arith(e.op.slice(0, -1), toNumber(target.get()), toNumber(v));
        target.set(v);
        return v;
      }
      case 'cond': return this.eval(toBool(await this.eval(e.test)) ? e.then : e.else);
      case 'and': return toBool(await this.eval(e.left)) && toBool(await this.eval(e.right)) ? 1 : 0;
      case 'or': return toBool(await this.eval(e.left)) || toBool(await this.eval(e.right)) ? 1 : 0;
      case 'in': {
        const k = await this.key(e.subscripts);
        return this.array(e.name).has(k) ? 1 : 0;
      }
      case 'match': {
        const s = this.state.toStr(await this.eval(e.left));
        return (await this.regexOf(e.right)).test(s) !== e.negate ? 1 : 0;
      }
      case 'binary': {
        const a = await this.eval(e.left);
        const b = await this.eval(e.right);
        if (['<', '<=', '==', '!=', '>', '>='].includes(e.op)) {
          const c = compareValues(a, b, this.state.convfmt);
          const r = { '<': c < 0, '<=': c <= 0, '==': c === 0, '!=': c !== 0, '>': c > 0, '>=': c >= 0 }[e.op];
          return r ? 1 : 0;
        }
        return this.#arith(e.op, toNumber(a), toNumber(b));
      }
      case 'concat': {
        const a = this.state.toStr(await this.eval(e.left));
        return a + this.state.toStr(await this.eval(e.right));
      }
      case 'unary': {
        const v = await this.eval(e.operand);
        return e.op === '!' ? (toBool(v) ? 0 : 1) : e.op === '-' ? -toNumber(v) : toNumber(v);
      }
      case 'incdec': {
        const target = await this.ref(e.target);
        const old = toNumber(target.get());
        const now = e.op === '++' ? old + 1 : old - 1;
        target.set(now);
        return e.prefix ? now : old;
      }
      case 'call': return this.#call(e.name, e.args);
      case 'builtin': return callBuiltin(this, e.name, e.args);
      case 'getline': return this.#getline(e);
    }
  }

  async #getline(e: Extract<Expr, { type: 'getline' }>): Promise<AwkValue> {
    let rec: string | null;
    try {
      if (e.command) rec = await this.out.readFrom('command', this.state.toStr(await this.eval(e.command)));
      else if (e.file) rec = await this.out.readFrom('file', this.state.toStr(await this.eval(e.file)));
      else rec = await this.input.next();
    } catch (err) {
      // A source that cannot be opened reads as -1; signals and awk's own errors go on.
      if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && err.name !== 'BrokenPipeError') return -1;
      throw err;
    }
    if (rec === null) return 0;
    // Only the main input counts records (NR, FNR: in MainInput); busybox leaves NR alone for
    // `cmd | getline` and `getline < file` too.
    if (e.target) await this.assign(e.target, fromInput(rec));
    else this.state.setRecord(rec);
    return 1;
  }

  async #call(name: string, args: Expr[]): Promise<AwkValue> {
    const f = this.#program.functions.get(name);
    if (!f) throw new AwkRuntimeError('Call to undefined function');
    // Extra arguments are evaluated for their effects and dropped, as busybox does.
    for (const extra of args.slice(f.params.length)) await this.eval(extra);
    if (this.state.frames.length >= MAX_DEPTH) throw new AwkRuntimeError('Function call nesting too deep');
    const frame = new Map<string, Cell>();
    for (const [i, param] of f.params.entries()) {
      const arg = args[i];
      if (!arg) frame.set(param, {});
      else if (arg.type === 'var' && arg.name !== 'NF') {
        // Arrays go by reference; an untyped variable may become one inside the call.
        const c = this.state.cell(arg.name);
        frame.set(param, c.array ? { array: c.array } : c.value === undefined ? { ref: c } : { value: c.value });
      } else frame.set(param, { value: await this.eval(arg) });
    }
    this.state.frames.push(frame);
    try {
      for (const s of f.body) await this.exec(s);
      return UNINIT;
    } catch (sig) {
      if (sig instanceof ReturnSignal) return sig.value;
      throw sig;
    } finally {
      this.state.frames.pop();
    }
  }

  /** A value for print: numbers through OFMT (integers as integers). */
  #printable(v: AwkValue): string {
    return typeof v === 'number' ? numberToString(v, this.state.str('OFMT')) : toStr(v, '%.6g');
  }

  async #emit(text: string, redirect: Extract<Stmt, { type: 'print' }>['redirect']): Promise<void> {
    if (!redirect) return this.out.stdout(text);
    await this.out.redirect(redirect.mode, this.state.toStr(await this.eval(redirect.target)), text);
  }

  /** printf/sprintf formatting of evaluated values. */
  format(fmt: string, values: AwkValue[]): string {
    try {
      return formatValues(fmt, values, toNumber, (v) => this.state.toStr(v), (v) => typeof v === 'number' || (v instanceof StrNum && v.str !== ''));
    } catch (e) {
      if (e instanceof FormatError) throw new AwkRuntimeError(e.message);
      throw e;
    }
  }

  /** Runs a list of statements. */
  async block(body: Stmt[]): Promise<Flow> {
    for (const s of body) {
      const flow = await this.exec(s);
      if (flow !== 'normal') return flow;
    }
    return 'normal';
  }

  /** Runs one statement. */
  async exec(s: Stmt): Promise<Flow> {
    if (this.ctx.signal.aborted) throw new SignalledError(String(this.ctx.signal.reason));
    // Each statement is a step: a loop (or a recursion, through the calls in it) yields here.
    const wait = this.ctx.checkpoint();
    if (wait) await wait;
    switch (s.type) {
      case 'expr':
        await this.eval(s.expr);
        return 'normal';
      case 'print': {
        const parts: string[] = [];
        if (s.args.length === 0) parts.push(this.state.toStr(this.state.field(0)));
        for (const a of s.args) parts.push(this.#printable(await this.eval(a)));
        await this.#emit(parts.join(this.state.str('OFS')) + this.state.str('ORS'), s.redirect);
        return 'normal';
      }
      case 'printf': {
        const values: AwkValue[] = [];
        for (const a of s.args) values.push(await this.eval(a));
        const [fmt, ...rest] = values;
        await this.#emit(this.format(this.state.toStr(fmt!), rest), s.redirect);
        return 'normal';
      }
      case 'block': return this.block(s.body);
      case 'if':
        if (toBool(await this.eval(s.test))) return this.exec(s.then);
        return s.else ? this.exec(s.else) : 'normal';
      case 'while':
        while (toBool(await this.eval(s.test))) {
          if ((await this.exec(s.body)) === 'break') break;
        }
        return 'normal';
      case 'do':
        do {
          if ((await this.exec(s.body)) === 'break') break;
        } while (toBool(await this.eval(s.test)));
        return 'normal';
      case 'for':
        if (s.init) await this.eval(s.init);
        while (!s.test || toBool(await this.eval(s.test))) {
          if ((await this.exec(s.body)) === 'break') break;
          if (s.update) await this.eval(s.update);
        }
        return 'normal';
      case 'forin':
        for (const k of [...this.array(s.array).keys()]) {
          if (!this.array(s.array).has(k)) continue;
          await this.assign(s.variable, fromInput(k));
          if ((await this.exec(s.body)) === 'break') break;
        }
        return 'normal';
      case 'break':
      case 'continue':
        return s.type;
      case 'next': throw new NextSignal();
      case 'nextfile': throw new NextFileSignal();
      case 'exit': throw new ExitSignal(s.code ? Math.trunc(toNumber(await this.eval(s.code))) & 0xff : undefined);
      case 'return': throw new ReturnSignal(s.value ? await this.eval(s.value) : UNINIT);
      case 'delete':
        if (s.subscripts) this.array(s.name).delete(await this.key(s.subscripts));
        else this.array(s.name).clear();
        return 'normal';
    }
  }
}
