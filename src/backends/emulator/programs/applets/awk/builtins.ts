/**
 * awk's built-in functions. String positions follow busybox: `substr` truncates its numbers
 * and clamps the start to the string, `index` of an empty needle is 0. `sub`/`gsub` treat `&`
 * in the replacement as the matched text and `\&` as a literal ampersand.
 *
 * @module
 */
import type { Expr, LValue } from './ast.js';
import type { Interpreter } from './interpreter.js';
import { splitBy, AwkRuntimeError } from './state.js';
import { fromInput, toNumber, UNINIT, type AwkValue } from './values.js';

const ARITY: Record<string, [number, number]> = {
  length: [0, 1], substr: [2, 3], index: [2, 2], split: [2, 3], sub: [2, 3], gsub: [2, 3], match: [2, 2],
  sprintf: [1, Infinity], tolower: [1, 1], toupper: [1, 1], int: [1, 1], sqrt: [1, 1], exp: [1, 1], log: [1, 1],
  sin: [1, 1], cos: [1, 1], atan2: [2, 2], rand: [0, 0], srand: [0, 1], system: [1, 1], close: [1, 2], fflush: [0, 1],
};

/** Expands a sub/gsub replacement for one match. */
function expand(repl: string, matched: string): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c === '\\' && (repl[i + 1] === '&' || repl[i + 1] === '\\')) out += repl[++i];
    else if (c === '&') out += matched;
    else out += c;
  }
  return out;
}

/** A deterministic generator (mulberry32) so `srand(n); rand()` repeats, as awk promises. */
function nextRandom(interp: Interpreter): number {
  let t = (interp.seed = (interp.seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

async function substitute(interp: Interpreter, args: Expr[], global: boolean): Promise<number> {
  const re = await interp.regexOf(args[0]!, true);
  const repl = interp.state.toStr(await interp.eval(args[1]!));
  const target: LValue = (args[2] as LValue | undefined) ?? { type: 'field', index: { type: 'num', value: 0 } };
  if (target.type !== 'var' && target.type !== 'index' && target.type !== 'field') throw new AwkRuntimeError('sub/gsub: third argument must be a variable');
  const ref = await interp.ref(target);
  const text = interp.state.toStr(ref.get());
  let count = 0;
  let result = '';
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    result += text.slice(from, m.index) + expand(repl, m[0]);
    from = m.index + m[0].length;
    count++;
    if (!global) break;
    if (m[0] === '') {
      // An empty match: copy one character and move on, so gsub(/x*/, "-") interleaves.
      if (m.index < text.length) result += text[m.index];
      from = m.index + 1;
      re.lastIndex = m.index + 1;
      if (m.index >= text.length) break;
    }
  }
  if (count > 0) ref.set(result + text.slice(from));
  return count;
}

/** Calls built-in `name` with unevaluated `args` (some take an array or an lvalue). */
export async function callBuiltin(interp: Interpreter, name: string, args: Expr[]): Promise<AwkValue> {
  const [min, max] = ARITY[name] ?? [0, Infinity];
  if (args.length < min || args.length > max) throw new AwkRuntimeError(`Wrong number of arguments to ${name}`);
  const st = interp.state;
  const str = async (i: number): Promise<string> => st.toStr(await interp.eval(args[i]!));
  const num = async (i: number): Promise<number> => toNumber(await interp.eval(args[i]!));
  switch (name) {
    case 'length': {
      const a = args[0];
      if (!a) return st.toStr(st.field(0)).length;
      if (a.type === 'var' && a.name !== 'NF') {
        const cell = st.cell(a.name);
        if (cell.array ?? cell.ref?.array) return st.arrayOf(cell, a.name).size;
      }
      return (await str(0)).length;
    }
    case 'substr': {
      const s = await str(0);
      let i = Math.trunc((await num(1)) - 1);
      if (Number.isNaN(i)) i = 0;
      i = Math.min(Math.max(i, 0), s.length);
      let n = args.length > 2 ? Math.trunc(await num(2)) : s.length - i;
      if (!(n > 0)) n = 0;
      return s.slice(i, i + n);
    }
    case 'index': {
      const s = await str(0);
      const t = await str(1);
      return t === '' ? 0 : s.indexOf(t) + 1;
    }
    case 'split': {
      const s = await str(0);
      const target = args[1]!;
      if (target.type !== 'var') throw new AwkRuntimeError('split: second argument must be an array');
      let parts: string[];
      const sep = args[2];
      if (sep?.type === 'regex') parts = s === '' ? [] : splitBy(s, sep.source.length === 1 && sep.source !== ' ' ? `[${sep.source}]` : sep.source, true);
      else {
        const by = sep ? await str(2) : st.str('FS');
        // An empty separator splits into characters (busybox and gawk agree).
        parts = by === '' ? s.split('') : splitBy(s, by);
      }
      const arr = interp.array(target.name);
      arr.clear();
      parts.forEach((p, i) => arr.set(String(i + 1), fromInput(p)));
      return parts.length;
    }
    case 'sub':
    case 'gsub':
      return substitute(interp, args, name === 'gsub');
    case 'match': {
      const s = await str(0);
      const m = (await interp.regexOf(args[1]!)).exec(s);
      st.set('RSTART', m ? m.index + 1 : 0);
      st.set('RLENGTH', m ? m[0].length : -1);
      return m ? m.index + 1 : 0;
    }
    case 'sprintf': {
      const values: AwkValue[] = [];
      for (const a of args) values.push(await interp.eval(a));
      const [fmt, ...rest] = values;
      return interp.format(st.toStr(fmt!), rest);
    }
    case 'tolower':
      return (await str(0)).toLowerCase();
    case 'toupper':
      return (await str(0)).toUpperCase();
    case 'int':
      return Math.trunc(await num(0));
    case 'sqrt':
      return Math.sqrt(await num(0));
    case 'exp':
      return Math.exp(await num(0));
    case 'log':
      return Math.log(await num(0));
    case 'sin':
      return Math.sin(await num(0));
    case 'cos':
      return Math.cos(await num(0));
    case 'atan2':
      return Math.atan2(await num(0), await num(1));
    case 'rand':
      return nextRandom(interp);
    case 'srand': {
      const prev = interp.prevSeed;
      interp.prevSeed = args.length > 0 ? Math.trunc(await num(0)) : Math.floor(Date.now() / 1000);
      interp.seed = interp.prevSeed;
      return prev;
    }
    case 'system': {
      const cmd = await str(0);
      await interp.out.flush();
      return interp.out.run(cmd);
    }
    case 'close':
      return interp.out.close(await str(0));
    case 'fflush':
      await interp.out.flush();
      return 0;
    default:
      return UNINIT;
  }
}
