/**
 * awk values and their conversions. A value is a number, a string, or a {@link StrNum}: a
 * string that came from input (fields, getline, `-v`, ARGV, split) and looks like a number,
 * which compares numerically with numbers (POSIX "numeric string"). An uninitialised value
 * is the strnum `""`/0.
 *
 * @module
 */
import { formatValues } from './format.js';

/** A string from input that looks numeric: both its text and its number count. */
export class StrNum {
  /** The text as read. */
  readonly str: string;
  /** Its numeric value. */
  readonly num: number;
  constructor(str: string, num: number) {
    this.str = str;
    this.num = num;
  }
}

/** An awk scalar value. */
export type AwkValue = number | string | StrNum;

/** The uninitialised value: empty as a string, 0 as a number, compares either way. */
export const UNINIT = new StrNum('', 0);

const NUMERIC = /^[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[ \t\n\r\f\v]*$/;
const PREFIX = /^[ \t\n\r\f\v]*([-+]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan))/i;

/** Wraps a string from input: a {@link StrNum} when it looks numeric, else the plain string. */
export function fromInput(s: string): AwkValue {
  return NUMERIC.test(s) ? new StrNum(s, parseNumber(s)) : s;
}

/** The leading number of a string, as `strtod` reads it (0 when there is none). */
export function parseNumber(s: string): number {
  const m = PREFIX.exec(s);
  if (!m) return 0;
  const hex = /^([-+]?)0x([0-9a-f]+)$/i.exec(m[1]!);
  // busybox converts with its my_strtod: hexadecimal, and a leading 0 means octal when the
  // digits stop at something that is neither a digit nor a point (`010` is 8, `08` and `0.5` are decimal).
  if (hex) return (hex[1] === '-' ? -1 : 1) * parseInt(hex[2]!, 16);
  const oct = /^0([0-7]+)/.exec(m[1]!);
  if (oct && !/^[89.]/.test(s.trimStart().slice(oct[0].length))) return parseInt(oct[1]!, 8);
  const t = m[1]!.toLowerCase().replace(/^([-+]?)inf(inity)?$/, '$1Infinity');
  if (/nan$/.test(t)) return NaN;
  const n = Number(t);
  return Number.isNaN(n) ? 0 : n;
}

/** The numeric value. */
export function toNumber(v: AwkValue): number {
  if (typeof v === 'number') return v;
  if (v instanceof StrNum) return v.num;
  return parseNumber(v);
}

/**
 * Formats a number as awk does: integral values (within 64-bit range) as integers, others
 * through `fmt` (CONVFMT or OFMT, `%.6g` by default).
 */
export function numberToString(n: number, fmt: string): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return n === 0 ? '0' : BigInt(n).toString();
  if (Number.isNaN(n)) return n < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(n)) return n < 0 ? '-inf' : 'inf';
  return formatValues(fmt, [n], (v) => toNumber(v), (v) => toStr(v, '%.6g'));
}

/** The string value (numbers through `convfmt`). */
export function toStr(v: AwkValue, convfmt: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof StrNum) return v.str;
  return numberToString(v, convfmt);
}

/** Truth: numbers are true when non-zero, strings when non-empty, strnums by their number. */
export function toBool(v: AwkValue): boolean {
  if (typeof v === 'number') return v !== 0;
  if (v instanceof StrNum) return v.str === '' ? false : v.num !== 0;
  return v !== '';
}

/** Compares two values: numerically when both are numbers or numeric strings, else as strings. */
export function compareValues(a: AwkValue, b: AwkValue, convfmt: string): number {
  const numA = typeof a === 'number' || a instanceof StrNum;
  const numB = typeof b === 'number' || b instanceof StrNum;
  if (numA && numB) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : 1;
  }
  const x = toStr(a, convfmt);
  const y = toStr(b, convfmt);
  return x < y ? -1 : x > y ? 1 : 0;
}
