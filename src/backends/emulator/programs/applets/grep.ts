/**
 * `grep` (`-v -i -n -c -q -l -L -h -H -o -w -x -s -r -E -F -e PATTERN`), basic regexes by
 * default as POSIX says. Exit status 0 when something matched, 1 when nothing did, 2 on error.
 *
 * @module
 */
import { posix } from 'node:path';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { options, walk } from './common.js';
import { inputLines } from './input.js';
import { compilePosix } from './regex.js';

/** `grep [OPTIONS] PATTERN [FILE...]`. */
export async function grep(ctx: ProgramContext): Promise<number> {
  const extendedName = ctx.argv[0]?.endsWith('egrep');
  const fixedName = ctx.argv[0]?.endsWith('fgrep');
  const opts = await options(ctx, 'vinclLhHoqswxrREFz', 'ef');
  if (!opts) return 2;
  const f = (c: string): boolean => opts.flags.has(c);
  let patterns = opts.lists.get('e') ?? [];
  const operands = [...opts.operands];
  const patternFile = opts.flags.get('f');
  if (typeof patternFile === 'string') {
    patterns = [...patterns, ...(await ctx.fs.readFile(resolvePath(ctx.cwd, patternFile))).toString('utf8').split('\n').filter((l) => l !== '')];
  } else if (patterns.length === 0) {
    const p = operands.shift();
    if (p === undefined) {
      await complain(ctx, 'usage: grep [-vincl] PATTERN [FILE]...');
      return 2;
    }
    patterns = p.split('\n');
  }
  const extended = f('E') || extendedName === true;
  const fixed = f('F') || fixedName === true;
  let res: RegExp[];
  try {
    res = patterns.map((p) => {
      let src = fixed ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : compilePosix(p, extended).source;
      if (f('w')) src = `(?<![\\w])(?:${src})(?![\\w])`;
      if (f('x')) src = `^(?:${src})$`;
      return new RegExp(src, f('i') ? 'gi' : 'g');
    });
  } catch (e) {
    await complain(ctx, `bad regex '${patterns.join('|')}': ${(e as Error).message}`);
    return 2;
  }
  const recursive = f('r') || f('R');
  let files = operands.length > 0 ? operands : [recursive ? '.' : '-'];
  if (recursive) {
    const expanded: string[] = [];
    for (const file of files) {
      try {
        for await (const { path } of walk(ctx.fs, resolvePath(ctx.cwd, file))) {
          if ((await ctx.fs.lstat(path)).isFile()) {
            expanded.push(file === '.' && !operands.length ? posix.relative(ctx.cwd, path) : posix.join(file, posix.relative(resolvePath(ctx.cwd, file), path)));
          }
        }
      } catch (e) {
        if (!f('s')) await complain(ctx, `${file}: ${errorText(e)}`);
      }
    }
    files = expanded;
  }
  const showName = f('H') || (!f('h') && (files.length > 1 || recursive));
  let matchedAny = false;
  let error = false;
  for (const file of files) {
    let count = 0;
    let n = 0;
    const label = file === '-' ? '(standard input)' : file;
    for await (const line of inputLines(ctx, file, async (e) => {
      error = true;
      if (!f('s')) await complain(ctx, `${file}: ${errorText(e)}`);
    })) {
      n++;
      const hits = res.some((re) => {
        re.lastIndex = 0;
        return re.test(line);
      });
      if (hits === f('v')) continue;
      count++;
      matchedAny = true;
      if (f('q')) return 0;
      if (f('l') || f('L') || f('c')) continue;
      const prefix = `${showName ? `${label}:` : ''}${f('n') ? `${n}:` : ''}`;
      if (f('o') && !f('v')) {
        for (const re of res) {
          re.lastIndex = 0;
          for (const m of line.matchAll(re)) if (m[0] !== '') await write(ctx.stdout, `${prefix}${m[0]}\n`, ctx.signal);
        }
      } else await write(ctx.stdout, `${prefix}${line}\n`, ctx.signal);
    }
    if (f('c')) await write(ctx.stdout, `${showName ? `${label}:` : ''}${count}\n`, ctx.signal);
    if (f('l') && count > 0) await write(ctx.stdout, `${label}\n`, ctx.signal);
    if (f('L') && count === 0) await write(ctx.stdout, `${label}\n`, ctx.signal);
  }
  if (error && !(f('q') && matchedAny)) return 2;
  return matchedAny ? 0 : 1;
}
