/**
 * `$(( ... ))`: integer arithmetic as POSIX shells do it (C operators on signed integers).
 *
 * @module
 */

/** An arithmetic expression could not be evaluated (`division by zero`, a syntax error). */
export class ArithmeticError extends Error {
  override get name(): string {
    return 'ArithmeticError';
  }
}

type Tok = { k: 'num'; v: bigint } | { k: 'name'; v: string } | { k: 'op'; v: string };

const OPS = ['<<=', '>>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '++', '--', '**', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '(', ')', '<', '>', '!', '~', '&', '|', '^', '?', ':', '='];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)/.exec(src.slice(i));
    if (num) {
      const text = num[1]!;
      // A leading 0 means octal, so 08 and 09 are not numbers at all (ash: a syntax error).
      if (/^0\d*[89]/.test(text)) throw new ArithmeticError('arithmetic syntax error');
      const v = /^0[0-7]+$/.test(text) ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
      out.push({ k: 'num', v });
      i += text.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ k: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ArithmeticError(`arithmetic syntax error`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Binary operators by precedence, loosest first. */
const BINARY: string[][] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'], ['**'],
];

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '<<': return BigInt.asIntN(64, a << b);
    case '>>': return a >> b;
    case '+': return BigInt.asIntN(64, a + b);
    case '-': return BigInt.asIntN(64, a - b);
    case '*': return BigInt.asIntN(64, a * b);
    case '**':
      if (b < 0n) throw new ArithmeticError('exponent less than 0');
      return BigInt.asIntN(64, a ** b);
    case '/':
    case '%':
      if (b === 0n) throw new ArithmeticError('divide by zero');
      return op === '/' ? a / b : a % b;
    default:
      throw new ArithmeticError(`arithmetic syntax error`);
  }
}

/**
 * Evaluates an arithmetic expression; bare names read variables through `lookup` (unset or
 * empty is 0, a value that is itself an expression is evaluated).
 *
 * @throws ArithmeticError on bad syntax or division by zero
 */
export function evaluateArithmetic(
  source: string,
  lookup: (name: string) => string | undefined,
  assign: (name: string, value: string) => void = () => {
    throw new ArithmeticError('assignment not allowed here');
  },
): bigint {
  const toks = tokenize(source);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t !== undefined && t.k === 'op' && t.v === v;
  };
  const depthGuard = { n: 0 };
  const variable = (name: string): bigint => {
    const raw = (lookup(name) ?? '').trim();
    if (raw === '') return 0n;
    if (/^-?\d+$/.test(raw)) return BigInt(raw);
    if (++depthGuard.n > 32) throw new ArithmeticError('expression recursion loop detected');
    return evaluateArithmetic(raw, lookup, assign);
  };
  const primary = (): bigint => {
    const t = toks[pos++];
    if (!t) throw new ArithmeticError('arithmetic syntax error');
    if (t.k === 'num') return t.v;
    if (t.k === 'name') {
      const next = peek();
      if (next?.k === 'op' && (next.v === '=' || (next.v.endsWith('=') && next.v.length >= 2 && !['==', '!=', '<=', '>='].includes(next.v)))) {
        pos++;
        const rhs = ternary();
        const value = next.v === '=' ? rhs : apply(next.v.slice(0, -1), variable(t.v), rhs);
        assign(t.v, String(value));
        return value;
      }
      if (next?.k === 'op' && (next.v === '++' || next.v === '--')) {
        pos++;
        const old = variable(t.v);
        assign(t.v, String(next.v === '++' ? old + 1n : old - 1n));
        return old;
      }
      return variable(t.v);
    }
    switch (t.v) {
      case '(': {
        const v = ternary();
        if (!isOp(')')) throw new ArithmeticError('arithmetic syntax error');
        pos++;
        return v;
      }
      case '-': return BigInt.asIntN(64, -primary());
      case '+': return primary();
      case '!': return primary() === 0n ? 1n : 0n;
      case '~': return ~primary();
      case '++':
      case '--': {
        const name = toks[pos++];
        if (name?.k !== 'name') throw new ArithmeticError('arithmetic syntax error');
        const value = variable(name.v) + (t.v === '++' ? 1n : -1n);
        assign(name.v, String(value));
        return value;
      }
      default: throw new ArithmeticError('arithmetic syntax error');
    }
  };
  const binary = (level: number): bigint => {
    if (level >= BINARY.length) return primary();
    let left = binary(level + 1);
    const ops = BINARY[level]!;
    for (;;) {
      const t = peek();
      if (!t || t.k !== 'op' || !ops.includes(t.v)) return left;
      pos++;
      left = apply(t.v, left, binary(level + 1));
    }
  };
  const ternary = (): bigint => {
    const cond = binary(0);
    if (!isOp('?')) return cond;
    pos++;
    const a = ternary();
    if (!isOp(':')) throw new ArithmeticError('arithmetic syntax error');
    pos++;
    const b = ternary();
    return cond !== 0n ? a : b;
  };
  if (toks.length === 0) return 0n;
  const value = ternary();
  if (pos !== toks.length) throw new ArithmeticError('arithmetic syntax error');
  return value;
}
