/**
 * `sed` with the commands Dockerfiles use: `s///` (flags g, p, i, N), `d`, `p`, `q`, `y`,
 * `a`/`i`/`c` text, `=`; addresses (line numbers, `$`, `/regex/`, ranges, `!`); options `-n`,
 * `-e`, `-f`, `-i`, `-E`/`-r`.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { options } from './common.js';
import { readInput } from './input.js';
import { compilePosix } from './regex.js';

type Address = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 're'; re: RegExp };

interface SedCommand {
  a1?: Address;
  a2?: Address;
  negate: boolean;
  name: string;
  re?: RegExp;
  replacement?: string;
  global?: boolean;
  print?: boolean;
  nth?: number;
  text?: string;
  from?: string;
  to?: string;
  inRange: boolean;
}

function readDelimited(src: string, start: number, delim: string): [string, number] {
  let out = '';
  let i = start;
  for (; i < src.length && src[i] !== delim; i++) {
    if (src[i] === '\\' && i + 1 < src.length) {
      if (src[i + 1] === delim) out += delim;
      else if (src[i + 1] === 'n') out += '\n';
      else out += src.slice(i, i + 2);
      i++;
    } else out += src[i];
  }
  if (i >= src.length) throw new Error(`unterminated \`s' command`);
  return [out, i + 1];
}

/** Parses a sed script into commands. */
function parseSed(script: string, extended: boolean): SedCommand[] {
  const cmds: SedCommand[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < script.length && /[\s;]/.test(script[i]!)) i++;
  };
  const address = (): Address | undefined => {
    const c = script[i];
    if (c === '$') {
      i++;
      return { kind: 'last' };
    }
    const num = /^\d+/.exec(script.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'line', n: Number(num[0]) };
    }
    if (c === '/' || c === '\\') {
      const delim = c === '\\' ? script[++i]! : '/';
      const [re, next] = readDelimited(script, i + 1, delim);
      i = next;
      let flags = '';
      if (script[i] === 'I') {
        flags = 'i';
        i++;
      }
      return { kind: 're', re: compilePosix(re, extended, flags) };
    }
    return undefined;
  };
  for (skip(); i < script.length; skip()) {
    if (script[i] === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    const cmd: SedCommand = { negate: false, name: '', inRange: false };
    const a1 = address();
    if (a1) cmd.a1 = a1;
    if (a1 && script[i] === ',') {
      i++;
      const a2 = address();
      if (!a2) throw new Error('unexpected `,\'');
      cmd.a2 = a2;
    }
    while (script[i] === ' ') i++;
    if (script[i] === '!') {
      cmd.negate = true;
      i++;
    }
    while (script[i] === ' ') i++;
    const name = script[i++];
    if (name === undefined) throw new Error('missing command');
    cmd.name = name;
    if (name === 's') {
      const delim = script[i]!;
      const [re, afterRe] = readDelimited(script, i + 1, delim);
      const [rep, afterRep] = readDelimited(script, afterRe, delim);
      i = afterRep;
      let flags = '';
      while (i < script.length && /[gpiI0-9]/.test(script[i]!)) {
        const fl = script[i++]!;
        if (fl === 'g') cmd.global = true;
        else if (fl === 'p') cmd.print = true;
        else if (fl === 'i' || fl === 'I') flags = 'i';
        else cmd.nth = (cmd.nth ?? 0) * 10 + Number(fl);
      }
      cmd.re = compilePosix(re, extended, `g${flags}`);
      cmd.replacement = rep;
    } else if (name === 'y') {
      const delim = script[i]!;
      const [from, a] = readDelimited(script, i + 1, delim);
      const [to, b] = readDelimited(script, a, delim);
      i = b;
      cmd.from = from;
      cmd.to = to;
    } else if ('aic'.includes(name)) {
      if (script[i] === '\\') i++;
      while (script[i] === ' ' || script[i] === '\n') i++;
      const end = script.indexOf('\n', i);
      cmd.text = script.slice(i, end < 0 ? script.length : end).replace(/\\(.)/g, '$1');
      i = end < 0 ? script.length : end;
    } else if (!'dpqQ=hHgGxnN'.includes(name)) throw new Error(`unsupported command ${name}`);
    cmds.push(cmd);
  }
  return cmds;
}

function expandReplacement(rep: string, m: RegExpExecArray): string {
  return rep.replace(/\\([0-9&n\\])|&/g, (all, e: string | undefined) => {
    if (all === '&') return m[0];
    if (e === '&') return '&';
    if (e === 'n') return '\n';
    if (e === '\\') return '\\';
    return m[Number(e)] ?? '';
  });
}

function substitute(line: string, cmd: SedCommand): string | undefined {
  const re = cmd.re!;
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let count = 0;
  let changed = false;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    count++;
    const wanted = cmd.nth ? count === cmd.nth || (cmd.global && count > cmd.nth) : true;
    if (wanted) {
      out += line.slice(last, m.index) + expandReplacement(cmd.replacement!, m);
      last = m.index + m[0].length;
      changed = true;
      if (!cmd.global) break;
    }
    if (m[0] === '') re.lastIndex++;
  }
  return changed ? out + line.slice(last) : undefined;
}

/** Runs the script over lines; returns the output text and whether `q` stopped it. */
function runSed(cmds: SedCommand[], lines: string[], quiet: boolean, lineOffset: number, isLastInput: boolean): { text: string; quit: boolean } {
  let text = '';
  const matches = (a: Address, n: number, line: string, last: boolean): boolean =>
    a.kind === 'line' ? a.n === n : a.kind === 'last' ? last : ((a.re.lastIndex = 0), a.re.test(line));
  for (let idx = 0; idx < lines.length; idx++) {
    let space = lines[idx]!;
    const n = lineOffset + idx + 1;
    const last = isLastInput && idx === lines.length - 1;
    let deleted = false;
    let quit = false;
    let append = '';
    for (const cmd of cmds) {
      let selected = true;
      if (cmd.a1 && cmd.a2) {
        if (cmd.inRange) {
          selected = true;
          if (cmd.a2.kind === 'line' ? n >= cmd.a2.n : matches(cmd.a2, n, space, last)) cmd.inRange = false;
        } else if (matches(cmd.a1, n, space, last)) {
          selected = true;
          cmd.inRange = !(cmd.a2.kind === 'line' && cmd.a2.n <= n);
        } else selected = false;
      } else if (cmd.a1) selected = matches(cmd.a1, n, space, last);
      if (selected === cmd.negate) continue;
      switch (cmd.name) {
        case 's': {
          const r = substitute(space, cmd);
          if (r !== undefined) {
            space = r;
            if (cmd.print) text += `${space}\n`;
          }
          break;
        }
        case 'y':
          space = [...space].map((c) => {
            const k = cmd.from!.indexOf(c);
            return k >= 0 ? (cmd.to![k] ?? c) : c;
          }).join('');
          break;
        case 'd':
          deleted = true;
          break;
        case 'p':
          text += `${space}\n`;
          break;
        case '=':
          text += `${n}\n`;
          break;
        case 'a':
          append += `${cmd.text}\n`;
          break;
        case 'i':
          text += `${cmd.text}\n`;
          break;
        case 'c':
          text += `${cmd.text}\n`;
          deleted = true;
          break;
        case 'q':
          quit = true;
          break;
        case 'Q':
          return { text, quit: true };
      }
      if (deleted || quit) break;
    }
    if (!deleted && !quiet) text += `${space}\n`;
    text += append;
    if (quit) return { text, quit: true };
  }
  return { text, quit: false };
}

/** `sed [-n] [-i] [-E] [-e SCRIPT]... [-f FILE] [SCRIPT] [FILE...]`. */
export async function sed(ctx: ProgramContext): Promise<number> {
  // `-i` may carry a suffix attached (`-i.bak`); busybox accepts it and we ignore the backup.
  const argv = ctx.argv.map((a, i) => (i > 0 && /^-i./.test(a) && !a.startsWith('-i-') ? '-i' : a));
  const opts = await options({ ...ctx, argv }, 'niErsu', 'ef');
  if (!opts) return 1;
  const scripts = [...(opts.lists.get('e') ?? [])];
  const operands = [...opts.operands];
  const scriptFile = opts.flags.get('f');
  if (typeof scriptFile === 'string') scripts.push((await ctx.fs.readFile(resolvePath(ctx.cwd, scriptFile))).toString('utf8'));
  if (scripts.length === 0) {
    const s = operands.shift();
    if (s === undefined) {
      await complain(ctx, 'no script specified');
      return 1;
    }
    scripts.push(s);
  }
  let cmds: SedCommand[];
  try {
    cmds = parseSed(scripts.join('\n'), opts.flags.has('E') || opts.flags.has('r'));
  } catch (e) {
    await complain(ctx, `bad command: ${(e as Error).message}`);
    return 1;
  }
  const quiet = opts.flags.has('n');
  const files = operands.length > 0 ? operands : ['-'];
  let status = 0;
  if (opts.flags.has('i')) {
    for (const file of files) {
      const path = resolvePath(ctx.cwd, file);
      let data: Buffer;
      try {
        data = await ctx.fs.readFile(path);
      } catch (e) {
        await complain(ctx, `can't open '${file}': ${errorText(e)}`);
        status = 4;
        continue;
      }
      for (const c of cmds) c.inRange = false;
      const { text } = await runSedInSteps(ctx, cmds, splitKeep(data.toString('utf8')), quiet);
      await ctx.fs.writeFile(path, text);
    }
    return status;
  }
  const lines: string[] = [];
  for (const file of files) {
    const data = await readInput(ctx, file, true);
    if (!data) {
      await complain(ctx, `can't open '${file}': No such file or directory`);
      status = 2;
      continue;
    }
    // One push per line: spreading a big file's lines as arguments overflows the stack.
    for (const line of splitKeep(data.toString('utf8'))) lines.push(line);
  }
  const { text } = await runSedInSteps(ctx, cmds, lines, quiet);
  await write(ctx.stdout, text, ctx.signal);
  return status;
}

/** Lines run between two checkpoints: a big input must not hold the event loop. */
const SED_STEP = 1024;

/** {@link runSed} over all of `lines`, a step of lines at a time with a checkpoint between. */
async function runSedInSteps(ctx: ProgramContext, cmds: SedCommand[], lines: string[], quiet: boolean): Promise<{ text: string }> {
  const parts: string[] = [];
  for (let from = 0; from < lines.length; from += SED_STEP) {
    const wait = ctx.checkpoint();
    if (wait) await wait;
    const { text, quit } = runSed(cmds, lines.slice(from, from + SED_STEP), quiet, from, from + SED_STEP >= lines.length);
    parts.push(text);
    if (quit) break;
  }
  return { text: parts.join('') };
}

function splitKeep(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
