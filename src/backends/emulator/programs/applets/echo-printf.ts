/**
 * `echo` and `printf`, shared by the applets and the shell's builtins of the same names.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { complain, write } from '../io.js';

/** Interprets backslash escapes as `echo -e` and `printf %b` do; `stop` is set by `\c`. */
export function unescapeEcho(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i]!;
    switch (n) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'e': out += '\x1b'; break;
      case '\\': out += '\\'; break;
      case 'c': return { text: out, stop: true };
      case '0': {
        const m = /^[0-7]{0,3}/.exec(text.slice(i + 1))![0];
        out += String.fromCharCode(parseInt(m || '0', 8));
        i += m.length;
        break;
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += '\\x';
        break;
      }
      default: out += `\\${n}`;
    }
  }
  return { text: out, stop: false };
}

/** `echo [-neE] [ARG...]`. */
export async function echo(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
    for (const f of args.shift()!.slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
  }
  let text = args.join(' ');
  if (escapes) {
    const r = unescapeEcho(text);
    text = r.text;
    if (r.stop) newline = false;
  }
  await write(ctx.stdout, newline ? `${text}\n` : text, ctx.signal);
  return 0;
}

/** Formats `printf FORMAT ARGS`; reports bad numbers through `onError`. */
export function formatPrintf(format: string, args: string[], onError: (msg: string) => void): string {
  let out = '';
  let index = 0;
  const next = (): string | undefined => args[index++];
  const num = (v: string | undefined): number => {
    if (v === undefined || v === '') return 0;
    if (/^['"]/.test(v)) return v.codePointAt(1) ?? 0;
    const n = Number(v.trim());
    if (!Number.isFinite(n)) {
      onError(`invalid number '${v}'`);
      return 0;
    }
    return Math.trunc(n);
  };
  do {
    let usedArg = false;
    for (let i = 0; i < format.length; i++) {
      const c = format[i]!;
      if (c === '\\') {
        const m = /^\\(0?[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)?/.exec(format.slice(i))!;
        const body = m[1] ?? '';
        out += /^[0-7]/.test(body) ? String.fromCharCode(parseInt(body, 8)) : unescapeEcho(m[0]).text;
        i += m[0].length - 1;
        continue;
      }
      if (c !== '%') {
        out += c;
        continue;
      }
      const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([sdiouxXcbfeEgG%])/.exec(format.slice(i));
      if (!m) {
        out += c;
        continue;
      }
      i += m[0].length - 1;
      const conv = m[4]!;
      if (conv === '%') {
        out += '%';
        continue;
      }
      const flags = m[1]!;
      const width = m[2] === '*' ? num(next()) : m[2] ? Number(m[2]) : 0;
      const precision = m[3] === '*' ? num(next()) : m[3] !== undefined ? Number(m[3]) : undefined;
      usedArg = true;
      const arg = next();
      let s: string;
      switch (conv) {
        case 's': s = arg ?? ''; if (precision !== undefined) s = s.slice(0, precision); break;
        case 'b': s = unescapeEcho(arg ?? '').text; break;
        case 'c': s = (arg ?? '').slice(0, 1); break;
        case 'd': case 'i': {
          const n = num(arg);
          s = String(Math.abs(n));
          if (precision !== undefined) s = s.padStart(precision, '0');
          s = (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s;
          break;
        }
        case 'u': s = String(Math.abs(num(arg))); break;
        case 'o': s = num(arg).toString(8); break;
        case 'x': s = num(arg).toString(16); break;
        case 'X': s = num(arg).toString(16).toUpperCase(); break;
        default: {
          const f = Number(arg ?? 0);
          const p = precision ?? 6;
          s = conv === 'f' ? f.toFixed(p) : conv === 'e' || conv === 'E' ? f.toExponential(p) : String(Number(f.toPrecision(p || 1)));
          if (conv === 'E' || conv === 'G') s = s.toUpperCase();
        }
      }
      if (s.length < width) {
        if (flags.includes('-')) s = s.padEnd(width);
        else if (flags.includes('0') && /[diouxXfeEgG]/.test(conv)) {
          const sign = /^[-+ ]/.test(s) ? s[0]! : '';
          s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
        } else s = s.padStart(width);
      }
      out += s;
    }
    if (!usedArg) break;
  } while (index < args.length);
  return out;
}

/** `printf FORMAT [ARG...]`: the format is reused while arguments remain. */
export async function printf(ctx: ProgramContext): Promise<number> {
  const [format, ...args] = ctx.argv.slice(1);
  if (format === undefined) {
    await complain(ctx, 'usage: printf FORMAT [ARGUMENT...]');
    return 1;
  }
  let status = 0;
  const errors: string[] = [];
  const text = formatPrintf(format, args, (m) => {
    errors.push(m);
    status = 1;
  });
  await write(ctx.stdout, text, ctx.signal);
  for (const e of errors) await complain(ctx, e);
  return status;
}
