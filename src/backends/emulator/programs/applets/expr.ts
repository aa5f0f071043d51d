/**
 * `expr`, as busybox evaluates it: arithmetic on 64-bit integers, comparisons (numeric when
 * both sides are integers, else by string), `|` and `&`, `:` / `match` (an anchored BRE),
 * `length`, `substr` and `index`. Exit status 0 when the result is neither null nor 0, 1 when
 * it is, 2 on a syntax error, a non-numeric argument or a division by zero.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { complain, write } from '../io.js';
import { compilePosix } from './regex.js';

/** A value is an integer (kept as a 64-bit BigInt) or a string. */
type Value = bigint | string;

/** An error that ends `expr` with status 2 and the given message. */
class ExprError extends Error {}

/** Parses an integer the way `strtoll` with full-string checking does; undefined when it is not one. */
function toInt(v: Value): bigint | undefined {
  if (typeof v === 'bigint') return v;
  const m = /^\s*([-+]?\d+)$/.exec(v);
  return m ? BigInt.asIntN(64, BigInt(m[1]!)) : undefined;
}

function show(v: Value): string {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Null or zero: what makes the exit status 1 and `|`/`&` treat an operand as false. */
function isNull(v: Value): boolean {
  return typeof v === 'bigint' ? v === 0n : v === '' || v === '0';
}

/** A recursive-descent evaluator over the argument list, one precedence level per method. */
class Evaluator {
  readonly #args: string[];
  #pos = 0;

  constructor(args: string[]) {
    this.#args = args;
  }

  /** Evaluates the whole argument list. */
  run(): Value {
    const v = this.#or();
    if (this.#pos < this.#args.length) throw new ExprError('syntax error');
    return v;
  }

  #peek(...ops: string[]): string | undefined {
    const t = this.#args[this.#pos];
    return t !== undefined && ops.includes(t) ? t : undefined;
  }

  #or(): Value {
    let l = this.#and();
    while (this.#peek('|')) {
      this.#pos++;
      const r = this.#and();
      if (isNull(l)) l = r;
    }
    return l;
  }

  #and(): Value {
    let l = this.#compare();
    while (this.#peek('&')) {
      this.#pos++;
      const r = this.#compare();
      if (isNull(l) || isNull(r)) l = 0n;
    }
    return l;
  }

  #compare(): Value {
    let l = this.#sum();
    for (let op; (op = this.#peek('=', '==', '!=', '<', '<=', '>', '>=')); ) {
      this.#pos++;
      const r = this.#sum();
      const li = toInt(l);
      const ri = toInt(r);
      let c: number;
      if (li !== undefined && ri !== undefined) c = li < ri ? -1 : li > ri ? 1 : 0;
      else {
        const ls = show(l);
        const rs = show(r);
        c = ls < rs ? -1 : ls > rs ? 1 : 0;
      }
      const truth = { '=': c === 0, '==': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[op] ?? false;
      l = truth ? 1n : 0n;
    }
    return l;
  }

  #arith(op: string, l: Value, r: Value): Value {
    const a = toInt(l);
    const b = toInt(r);
    if (a === undefined || b === undefined) throw new ExprError('non-numeric argument');
    if ((op === '/' || op === '%') && b === 0n) throw new ExprError('division by zero');
    // BigInt division truncates toward zero like C; asIntN wraps like 64-bit arithmetic does.
    const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    return BigInt.asIntN(64, v);
  }

  #sum(): Value {
    let l = this.#product();
    for (let op; (op = this.#peek('+', '-')); ) {
      this.#pos++;
      l = this.#arith(op, l, this.#product());
    }
    return l;
  }

  #product(): Value {
    let l = this.#matchOp();
    for (let op; (op = this.#peek('*', '/', '%')); ) {
      this.#pos++;
      l = this.#arith(op, l, this.#matchOp());
    }
    return l;
  }

  #matchOp(): Value {
    let l = this.#primary();
    while (this.#peek(':')) {
      this.#pos++;
      l = match(show(l), show(this.#primary()));
    }
    return l;
  }

  #next(): string {
    const t = this.#args[this.#pos++];
    if (t === undefined) throw new ExprError('syntax error');
    return t;
  }

  #primary(): Value {
    const t = this.#next();
    switch (t) {
      case '(': {
        const v = this.#or();
        if (this.#next() !== ')') throw new ExprError('syntax error');
        return v;
      }
      case 'match': {
        const s = this.#primary();
        return match(show(s), show(this.#primary()));
      }
      case 'length':
        return BigInt(show(this.#primary()).length);
      case 'index': {
        const s = show(this.#primary());
        const chars = show(this.#primary());
        let at = 0;
        for (let i = 0; i < s.length && at === 0; i++) if (chars.includes(s[i]!)) at = i + 1;
        return BigInt(at);
      }
      case 'substr': {
        const s = show(this.#primary());
        const pos = toInt(this.#primary()) ?? 0n;
        const len = toInt(this.#primary()) ?? 0n;
        if (pos < 1n || len < 1n || pos > BigInt(s.length)) return '';
        return s.slice(Number(pos) - 1, Number(pos - 1n + len));
      }
      case ')':
      case '|':
      case '&':
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case ':':
        throw new ExprError('syntax error');
      default:
        return t;
    }
  }
}

/** `STRING : REGEX`: anchored BRE; the first group's text when it took part, else the match length. */
function match(s: string, pattern: string): Value {
  let re: RegExp;
  try {
    re = compilePosix(pattern, false);
  } catch {
    throw new ExprError('syntax error');
  }
  const anchored = new RegExp(`^(?:${re.source})`);
  const m = anchored.exec(s);
  const groups = new RegExp(`(?:${re.source})|`).exec('')!.length - 1;
  if (groups > 0) return m?.[1] !== undefined ? m[1] : m ? BigInt(m[0].length) : '';
  return BigInt(m ? m[0].length : 0);
}

/** `expr EXPRESSION`: prints the value; status 0 (non-null), 1 (null or 0) or 2 (error). */
export async function expr(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    await complain(ctx, 'too few arguments');
    return 2;
  }
  let v: Value;
  try {
    v = new Evaluator(args).run();
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    await complain(ctx, e.message);
    return 2;
  }
  await write(ctx.stdout, `${show(v)}\n`, ctx.signal);
  return isNull(v) ? 1 : 0;
}
