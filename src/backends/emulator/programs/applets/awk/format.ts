/**
 * C `printf` formatting for awk's printf/sprintf and number output: flags `-+ #0`, width and
 * precision (also `*`), conversions d i o x X u c s e E f F g G and `%%`. Integer
 * conversions work on 64-bit values, so `%x` of -1 prints as C's `%llx` does.
 *
 * @module
 */

/** Reads an argument as a number or a string; `isNumber` decides `%c` (a code or a first character). */
export interface FormatAccess<T> {
  /** The argument's numeric value. */
  num(v: T): number;
  /** The argument's string value. */
  str(v: T): string;
  /** Whether the argument is a number (not a string). */
  isNumber?(v: T): boolean;
}

function pad(body: string, width: number, left: boolean, zero: boolean): string {
  if (body.length >= width) return body;
  if (left) return body.padEnd(width);
  if (zero) {
    const sign = /^[-+ ]|^0[xX]/.exec(body)?.[0] ?? '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}

/** C's `%e` body for a finite non-negative number. */
function expForm(n: number, prec: number, upper: boolean): string {
  const [mant, exp] = n.toExponential(prec).split('e') as [string, string];
  const e = Number(exp);
  const s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return upper ? s.toUpperCase() : s;
}

/** C's `%g` body for a finite non-negative number. */
function generalForm(n: number, prec: number, alt: boolean, upper: boolean): string {
  const p = prec === 0 ? 1 : prec;
  if (n === 0) return alt ? `0.${'0'.repeat(p - 1)}` : '0';
  const x = Number(n.toExponential(p - 1).split('e')[1]);
  let s = x < -4 || x >= p ? expForm(n, p - 1, upper) : fixed(n, Math.max(0, p - 1 - x));
  if (!alt) {
    // Trailing zeros of the fraction go, and the point with them.
    const strip = (m: string): string => (m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m);
    const at = s.search(/[eE]/);
    s = at >= 0 ? strip(s.slice(0, at)) + s.slice(at) : strip(s);
  }
  return s;
}

/**
 * `toFixed` rounds an exact half up; C rounds it to even (`%.0f` of 2.5 is "2"), so exact
 * ties are decided here.
 */
function fixed(a: number, p: number): string {
  const scaled = a * 10 ** p;
  if (p <= 15 && Number.isInteger(scaled * 2) && !Number.isInteger(scaled) && scaled < 2 ** 52) {
    const down = Math.floor(scaled);
    const n = down % 2 === 0 ? down : down + 1;
    return (n / 10 ** p).toFixed(p);
  }
  return a.toFixed(p);
}

/** A conversion printf does not know. */
export class FormatError extends Error {}

function floatConv(conv: string, n: number, prec: number | undefined, alt: boolean): string {
  const upper = conv === 'E' || conv === 'G' || conv === 'F';
  if (!Number.isFinite(n)) {
    const s = Number.isNaN(n) ? 'nan' : 'inf';
    return upper ? s.toUpperCase() : s;
  }
  const p = prec ?? 6;
  const a = Math.abs(n);
  if (conv === 'f' || conv === 'F') {
    const s = a >= 1e21 ? BigInt(Math.round(a)).toString() + (p > 0 ? `.${'0'.repeat(p)}` : '') : fixed(a, p);
    return alt && p === 0 ? `${s}.` : s;
  }
  if (conv === 'e' || conv === 'E') return expForm(a, p, upper);
  return generalForm(a, p, alt, upper);
}

function intConv(conv: string, n: number, prec: number | undefined, alt: boolean): [string, boolean] {
  const t = Number.isFinite(n) ? Math.trunc(n) : n > 0 ? 2 ** 63 - 1 : -(2 ** 63);
  let big = BigInt.asIntN(64, BigInt(Number.isNaN(t) ? 0 : t));
  let neg = false;
  let body: string;
  if (conv === 'd' || conv === 'i') {
    neg = big < 0n;
    body = (neg ? -big : big).toString();
  } else {
    big = BigInt.asUintN(64, big);
    body = big.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
    if (conv === 'X') body = body.toUpperCase();
  }
  if (prec !== undefined) body = prec === 0 && big === 0n ? '' : body.padStart(prec, '0');
  if (alt && conv === 'o' && !body.startsWith('0')) body = `0${body}`;
  if (alt && (conv === 'x' || conv === 'X') && big !== 0n) body = `0${conv}${body}`;
  return [body, neg];
}

/**
 * Formats `args` by the C format string `fmt`. Missing arguments read as empty/0; an unknown
 * conversion is copied out as written.
 */
export function formatValues<T>(fmt: string, args: T[], num: (v: T) => number, str: (v: T) => string, isNumber?: (v: T) => boolean): string {
  let out = '';
  let argi = 0;
  const nextArg = (): T | undefined => args[argi++];
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|q|j|z|t)?([diouxXeEfFgGcs%])/.exec(fmt.slice(i));
    if (!m) {
      if (i + 1 < fmt.length) throw new FormatError('Invalid format specifier');
      out += c;
      continue;
    }
    i += m[0].length - 1;
    const flags = m[1]!;
    const conv = m[5]!;
    if (conv === '%') {
      out += '%';
      continue;
    }
    let width = 0;
    let left = flags.includes('-');
    if (m[2] === '*') {
      const w = Math.trunc(num(nextArg() ?? (0 as T)));
      if (w < 0) left = true;
      width = Math.abs(w);
    } else if (m[2]) width = Number(m[2]);
    let prec: number | undefined;
    if (m[3] === '*') {
      const p = Math.trunc(num(nextArg() ?? (0 as T)));
      prec = p < 0 ? undefined : p;
    } else if (m[3] !== undefined) prec = Number(m[3] || 0);
    const arg = nextArg();
    const alt = flags.includes('#');
    const zero = flags.includes('0') && !left;
    if (conv === 's' || conv === 'c') {
      let s: string;
      if (conv === 'c') {
        if (arg === undefined) s = '';
        else if (isNumber?.(arg)) s = String.fromCharCode(Math.trunc(num(arg)) & 0xff);
        // An empty string gives C's NUL, as busybox prints it.
        else s = str(arg).slice(0, 1) || '\0';
      } else {
        s = arg === undefined ? '' : str(arg);
        if (prec !== undefined) s = s.slice(0, prec);
      }
      out += pad(s, width, left, false);
      continue;
    }
    const n = arg === undefined ? 0 : num(arg);
    let body: string;
    let neg: boolean;
    if ('diouxX'.includes(conv)) {
      [body, neg] = intConv(conv, n, prec, alt);
    } else {
      body = floatConv(conv, n, prec, alt);
      neg = n < 0 || Object.is(n, -0);
    }
    const sign = neg ? '-' : flags.includes('+') && 'dieEfFgG'.includes(conv) ? '+' : flags.includes(' ') && 'dieEfFgG'.includes(conv) ? ' ' : '';
    // C ignores 0 when a precision is given for integer conversions.
    out += pad(sign + body, width, left, zero && !(prec !== undefined && 'diouxX'.includes(conv)) && Number.isFinite(n));
  }
  return out;
}
