/**
 * Line-oriented text applets: head, tail, wc, tee, sort, uniq, cut, tr.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { FileSink } from '../sh/io-table.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { options } from './common.js';
import { inputChunks, inputLines, readInput } from './input.js';

/** Rewrites the obsolete `-5` form to `-n 5`. */
function countShorthand(argv: string[]): string[] {
  return argv.map((a, i) => (i > 0 && /^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
}

/** `head [-n N] [-c N] [FILE...]`. */
export async function head(ctx: ProgramContext): Promise<number> {
  const opts = await options({ ...ctx, argv: countShorthand(ctx.argv) }, 'qv', 'nc');
  if (!opts) return 1;
  const n = Number(opts.flags.get('n') ?? 10);
  const files = opts.operands.length > 0 ? opts.operands : ['-'];
  let status = 0;
  for (const [i, file] of files.entries()) {
    if (files.length > 1) await write(ctx.stdout, `${i > 0 ? '\n' : ''}==> ${file === '-' ? 'standard input' : file} <==\n`, ctx.signal);
    if (opts.flags.has('c')) {
      let left = Number(opts.flags.get('c'));
      if (file === '-') {
        // Stream: the producer may be endless (`yes | head -c 10`).
        for await (const chunk of inputChunks(ctx)) {
          if (left <= 0) break;
          await write(ctx.stdout, chunk.subarray(0, left), ctx.signal);
          left -= chunk.length;
        }
        continue;
      }
      const data = await readInput(ctx, file);
      if (!data) status = 1;
      else await write(ctx.stdout, data.subarray(0, left), ctx.signal);
      continue;
    }
    let count = 0;
    if (n <= 0) continue;
    for await (const line of inputLines(ctx, file, async (e) => {
      await complain(ctx, `${file}: ${errorText(e)}`);
      status = 1;
    })) {
      await write(ctx.stdout, `${line}\n`, ctx.signal);
      if (++count >= n) break;
    }
  }
  return status;
}

/** `tail [-n N|+N] [-f] [FILE...]`; `-f` polls the file through `ctx.sleep`. */
export async function tail(ctx: ProgramContext): Promise<number> {
  const opts = await options({ ...ctx, argv: countShorthand(ctx.argv) }, 'fFqv', 'nsc');
  if (!opts) return 1;
  const nArg = String(opts.flags.get('n') ?? '10');
  const fromStart = nArg.startsWith('+');
  const n = Math.abs(Number(nArg));
  const files = opts.operands.length > 0 ? opts.operands : ['-'];
  let status = 0;
  const pick = (text: string): string => {
    const lines = text.split('\n');
    const trailing = lines[lines.length - 1] === '';
    if (trailing) lines.pop();
    const chosen = fromStart ? lines.slice(Math.max(0, n - 1)) : n === 0 ? [] : lines.slice(-n);
    return chosen.length === 0 ? '' : `${chosen.join('\n')}${trailing || chosen.length < lines.length ? '\n' : ''}`;
  };
  for (const [i, file] of files.entries()) {
    if (files.length > 1) await write(ctx.stdout, `${i > 0 ? '\n' : ''}==> ${file} <==\n`, ctx.signal);
    const data = await readInput(ctx, file, true);
    if (!data) {
      await complain(ctx, `can't open '${file}': No such file or directory`);
      status = 1;
      continue;
    }
    await write(ctx.stdout, pick(data.toString('utf8')), ctx.signal);
  }
  const follow = opts.flags.has('f') || opts.flags.has('F');
  if (follow && files.length === 1 && files[0] !== '-') {
    const path = resolvePath(ctx.cwd, files[0]!);
    let size = (await ctx.fs.stat(path).catch(() => undefined))?.size ?? 0;
    const interval = Math.max(50, Number(opts.flags.get('s') ?? 1) * 1000);
    for (;;) {
      await ctx.sleep(interval);
      const st = await ctx.fs.stat(path).catch(() => undefined);
      if (!st || st.size === size) continue;
      const data = await ctx.fs.readFile(path);
      // A shrunken file was truncated: start over from its beginning.
      const from = st.size < size ? 0 : size;
      await write(ctx.stdout, data.subarray(from), ctx.signal);
      size = data.length;
    }
  }
  return status;
}

/** `wc [-lwcm] [FILE...]`, aligned as busybox aligns it. */
export async function wc(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'lwcmL');
  if (!opts) return 1;
  let which = ['l', 'w', 'c'].filter((f) => opts.flags.has(f) || (f === 'c' && opts.flags.has('m')));
  if (which.length === 0) which = ['l', 'w', 'c'];
  const files = opts.operands.length > 0 ? opts.operands : ['-'];
  const totals = { l: 0, w: 0, c: 0 };
  let status = 0;
  const row = (counts: Counts, name?: string): string => {
    const cols = which.map((f) => String(counts[f as keyof Counts]));
    const body = which.length === 1 && name === undefined ? cols[0]! : which.length === 1 ? cols[0]! : cols.map((c) => c.padStart(9)).join(' ');
    return name === undefined ? `${body}\n` : `${body} ${name}\n`;
  };
  for (const file of files) {
    const counts = file === '-' ? await countStream(ctx) : countBuffer(await readInput(ctx, file));
    if (!counts) {
      status = 1;
      continue;
    }
    totals.l += counts.l;
    totals.w += counts.w;
    totals.c += counts.c;
    await write(ctx.stdout, row(counts, file === '-' ? undefined : file), ctx.signal);
  }
  if (files.length > 1) await write(ctx.stdout, row(totals, 'total'), ctx.signal);
  return status;
}

interface Counts {
  l: number;
  w: number;
  c: number;
}

function countInto(counts: Counts, chunk: Buffer, inWord: boolean): boolean {
  counts.c += chunk.length;
  for (const byte of chunk) {
    if (byte === 10) counts.l++;
    // Whitespace as C's isspace(): space, \t \n \v \f \r.
    const space = byte === 32 || (byte >= 9 && byte <= 13);
    if (!space && !inWord) counts.w++;
    inWord = !space;
  }
  return inWord;
}

function countBuffer(data: Buffer | undefined): Counts | undefined {
  if (!data) return undefined;
  const counts = { l: 0, w: 0, c: 0 };
  countInto(counts, data, false);
  return counts;
}

/** Counts stdin as it streams: `yes | head -c 50M | wc -c` holds one chunk at a time. */
async function countStream(ctx: ProgramContext): Promise<Counts> {
  const counts = { l: 0, w: 0, c: 0 };
  let inWord = false;
  for await (const chunk of inputChunks(ctx)) inWord = countInto(counts, chunk, inWord);
  return counts;
}

/** `tee [-a] [FILE...]`. */
export async function tee(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'ai');
  if (!opts) return 1;
  const sinks: FileSink[] = [];
  let status = 0;
  for (const file of opts.operands) {
    const path = resolvePath(ctx.cwd, file);
    try {
      if (opts.flags.has('a')) await ctx.fs.appendFile(path, '');
      else await ctx.fs.writeFile(path, '');
      sinks.push(new FileSink(ctx.fs, path));
    } catch (e) {
      await complain(ctx, `${file}: ${errorText(e)}`);
      status = 1;
    }
  }
  for await (const chunk of inputChunks(ctx)) {
    for (const s of sinks) await write(s, chunk, ctx.signal);
    await write(ctx.stdout, chunk, ctx.signal);
  }
  await Promise.all(sinks.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  return status;
}

async function allLines(ctx: ProgramContext, files: string[]): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  for (const file of files.length > 0 ? files : ['-']) {
    for await (const line of inputLines(ctx, file, async (e) => {
      await complain(ctx, `${file}: ${errorText(e)}`);
      ok = false;
    })) lines.push(line);
  }
  return { lines, ok };
}

/** `sort [-nrufb] [-t SEP] [-k N] [FILE...]`. */
export async function sort(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'nrufbsgcz', 'tko');
  if (!opts) return 1;
  const { lines, ok } = await allLines(ctx, opts.operands);
  const sep = opts.flags.get('t');
  const keyArg = opts.flags.get('k');
  const keyField = typeof keyArg === 'string' ? Number(keyArg.split(/[,.]/)[0]) : 0;
  const key = (line: string): string => {
    let k = line;
    if (keyField > 0) {
      const fields = typeof sep === 'string' ? line.split(sep) : line.trim().split(/\s+/);
      k = fields.slice(keyField - 1).join(typeof sep === 'string' ? sep : ' ');
    }
    if (opts.flags.has('b')) k = k.trimStart();
    return opts.flags.has('f') ? k.toUpperCase() : k;
  };
  const numeric = opts.flags.has('n') || opts.flags.has('g');
  const cmp = (a: string, b: string): number => {
    const ka = key(a);
    const kb = key(b);
    if (numeric) {
      const d = (parseFloat(ka) || 0) - (parseFloat(kb) || 0);
      if (d !== 0) return d;
    } else if (ka !== kb) return ka < kb ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  let sorted = [...lines].sort(cmp);
  if (opts.flags.has('r')) sorted.reverse();
  if (opts.flags.has('u')) sorted = sorted.filter((l, i) => i === 0 || cmp(sorted[i - 1]!, l) !== 0 || key(sorted[i - 1]!) !== key(l));
  const text = sorted.map((l) => `${l}\n`).join('');
  const outFile = opts.flags.get('o');
  if (typeof outFile === 'string') await ctx.fs.writeFile(resolvePath(ctx.cwd, outFile), text);
  else await write(ctx.stdout, text, ctx.signal);
  return ok ? 0 : 2;
}

/** `uniq [-cdu] [IN [OUT]]`. */
export async function uniq(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'cdui', 'fs');
  if (!opts) return 1;
  const { lines, ok } = await allLines(ctx, opts.operands.slice(0, 1));
  const groups: { line: string; count: number }[] = [];
  const same = (a: string, b: string): boolean => (opts.flags.has('i') ? a.toLowerCase() === b.toLowerCase() : a === b);
  for (const line of lines) {
    const last = groups[groups.length - 1];
    if (last && same(last.line, line)) last.count++;
    else groups.push({ line, count: 1 });
  }
  let text = '';
  for (const g of groups) {
    if (opts.flags.has('d') && g.count < 2) continue;
    if (opts.flags.has('u') && g.count > 1) continue;
    text += opts.flags.has('c') ? `${String(g.count).padStart(7)} ${g.line}\n` : `${g.line}\n`;
  }
  const out = opts.operands[1];
  if (out !== undefined) await ctx.fs.writeFile(resolvePath(ctx.cwd, out), text);
  else await write(ctx.stdout, text, ctx.signal);
  return ok ? 0 : 1;
}

function parseList(spec: string): (n: number) => boolean {
  const ranges = spec.split(',').map((r) => {
    const m = /^(\d*)(-?)(\d*)$/.exec(r);
    if (!m) throw new Error(`invalid list '${spec}'`);
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    return [lo, hi] as const;
  });
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

/** `cut -f LIST [-d DELIM] [-s] | -c LIST | -b LIST [FILE...]`. */
export async function cut(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'snb', 'dfc');
  if (!opts) return 1;
  const spec = opts.flags.get('f') ?? opts.flags.get('c') ?? opts.flags.get('b');
  if (typeof spec !== 'string') {
    await complain(ctx, 'expected a list of bytes, characters, or fields');
    return 1;
  }
  let want: (n: number) => boolean;
  try {
    want = parseList(spec);
  } catch (e) {
    await complain(ctx, (e as Error).message);
    return 1;
  }
  const delim = String(opts.flags.get('d') ?? '\t');
  let status = 0;
  for (const file of opts.operands.length > 0 ? opts.operands : ['-']) {
    for await (const line of inputLines(ctx, file, async (e) => {
      await complain(ctx, `${file}: ${errorText(e)}`);
      status = 1;
    })) {
      let out: string;
      if (opts.flags.has('f')) {
        if (!line.includes(delim)) {
          if (opts.flags.has('s')) continue;
          out = line;
        } else out = line.split(delim).filter((_, i) => want(i + 1)).join(delim);
      } else out = [...line].filter((_, i) => want(i + 1)).join('');
      await write(ctx.stdout, `${out}\n`, ctx.signal);
    }
  }
  return status;
}

function expandSet(spec: string): string[] {
  const classes: Record<string, string> = {
    lower: 'abcdefghijklmnopqrstuvwxyz', upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', digit: '0123456789',
    space: ' \t\n\r\f\v', blank: ' \t', alpha: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
    alnum: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', punct: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  };
  const chars: string[] = [];
  const src = spec.replace(/\\(n|t|r|\\|[0-7]{1,3})/g, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '\\' ? '\\' : String.fromCharCode(parseInt(e, 8))));
  for (let i = 0; i < src.length; i++) {
    const cls = /^\[:(\w+):\]/.exec(src.slice(i));
    if (cls && classes[cls[1]!]) {
      chars.push(...classes[cls[1]!]!);
      i += cls[0].length - 1;
    } else if (src[i + 1] === '-' && i + 2 < src.length) {
      for (let c = src.charCodeAt(i); c <= src.charCodeAt(i + 2); c++) chars.push(String.fromCharCode(c));
      i += 2;
    } else chars.push(src[i]!);
  }
  return chars;
}

/** `tr [-d] [-s] [-c] SET1 [SET2]`. */
export async function tr(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'dscC');
  if (!opts) return 1;
  const [a, b] = opts.operands;
  if (a === undefined) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  const set1 = expandSet(a);
  const set2 = b === undefined ? [] : expandSet(b);
  const inSet1 = (c: string): boolean => set1.includes(c) !== opts.flags.has('c');
  for await (const chunk of inputChunks(ctx)) {
    let out = '';
    let last = '';
    for (const c of chunk.toString('utf8')) {
      let r = c;
      if (opts.flags.has('d')) {
        if (inSet1(c)) continue;
      } else if (set2.length > 0 && inSet1(c)) {
        const idx = set1.indexOf(c);
        r = set2[Math.min(idx < 0 ? set2.length - 1 : idx, set2.length - 1)]!;
      }
      const squeezeSet = opts.flags.has('d') || set2.length === 0 ? set1 : set2;
      if (opts.flags.has('s') && r === last && squeezeSet.includes(r)) continue;
      out += r;
      last = r;
    }
    await write(ctx.stdout, out, ctx.signal);
  }
  return 0;
}
