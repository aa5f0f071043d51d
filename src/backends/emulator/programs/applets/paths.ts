/**
 * Small applets about names and paths: printenv, readlink, realpath, mktemp, chgrp.
 *
 * @module
 */
import { randomInt } from 'node:crypto';
import { posix } from 'node:path';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, getopt, resolvePath, write } from '../io.js';
import { chown } from './files.js';

/** `printenv [NAME...]`: every variable, or the values of the named ones (1 if one is unset). */
export async function printenv(ctx: ProgramContext): Promise<number> {
  const names = ctx.argv.slice(1);
  if (names.length === 0) {
    await write(ctx.stdout, Object.entries(ctx.env).map(([k, v]) => `${k}=${v}\n`).join(''), ctx.signal);
    return 0;
  }
  let status = 0;
  for (const name of names) {
    const value = ctx.env[name];
    if (value === undefined) status = 1;
    else await write(ctx.stdout, `${value}\n`, ctx.signal);
  }
  return status;
}

/** `readlink [-f] FILE`: a link's target; with `-f` the canonical path. Silent 1 on failure. */
export async function readlink(ctx: ProgramContext): Promise<number> {
  let parsed;
  try {
    parsed = getopt(ctx.argv.slice(1), 'fnsvqe');
  } catch (e) {
    await complain(ctx, errorText(e));
    return 1;
  }
  const [file] = parsed.operands;
  if (file === undefined) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  const path = resolvePath(ctx.cwd, file);
  try {
    const out = parsed.flags.has('f') || parsed.flags.has('e') ? await ctx.fs.realpath(path) : await ctx.fs.readlink(path);
    await write(ctx.stdout, parsed.flags.has('n') ? out : `${out}\n`, ctx.signal);
    return 0;
  } catch {
    // As busybox: no message, just the status (scripts test `readlink x || ...`).
    return 1;
  }
}

/** `realpath FILE...`: each canonical absolute path. */
export async function realpath(ctx: ProgramContext): Promise<number> {
  const files = ctx.argv.slice(1);
  if (files.length === 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  let status = 0;
  for (const file of files) {
    try {
      await write(ctx.stdout, `${await canonical(ctx, resolvePath(ctx.cwd, file))}\n`, ctx.signal);
    } catch (e) {
      await complain(ctx, `${file}: ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** As busybox (and coreutils) realpath: the last component need not exist, its parent must. */
async function canonical(ctx: ProgramContext, path: string): Promise<string> {
  try {
    return await ctx.fs.realpath(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT' || path === '/') throw e;
    return posix.join(await ctx.fs.realpath(posix.dirname(path)), posix.basename(path));
  }
}

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * `mktemp [-dqu] [-p DIR] [TEMPLATE]`: makes a unique file (0600) or directory (0700) from a
 * template whose trailing X's are replaced, by default `tmp.XXXXXX` in `$TMPDIR` or `/tmp`.
 */
export async function mktemp(ctx: ProgramContext): Promise<number> {
  let parsed;
  try {
    parsed = getopt(ctx.argv.slice(1), 'dqutp', 'p');
  } catch (e) {
    await complain(ctx, errorText(e));
    return 1;
  }
  const template = parsed.operands[0] ?? 'tmp.XXXXXX';
  const xs = /X{3,}$/.exec(template);
  if (!xs) {
    if (!parsed.flags.has('q')) await complain(ctx, `invalid template: ${template}`);
    return 1;
  }
  const dirFlag = parsed.flags.get('p');
  const base = typeof dirFlag === 'string' ? dirFlag : (parsed.flags.has('t') || parsed.operands.length === 0 || !template.includes('/'))
    ? (ctx.env['TMPDIR'] || '/tmp') : '';
  for (let attempt = 0; attempt < 100; attempt++) {
    const suffix = Array.from({ length: xs[0].length }, () => NAME_CHARS[randomInt(NAME_CHARS.length)]).join('');
    const name = template.slice(0, xs.index) + suffix;
    const path = resolvePath(ctx.cwd, base ? posix.join(base, name) : name);
    try {
      if (!parsed.flags.has('u')) {
        if (parsed.flags.has('d')) await ctx.fs.mkdir(path, { mode: 0o700 });
        else await ctx.fs.writeFile(path, '', { mode: 0o600, flag: 'wx' });
      }
      await write(ctx.stdout, `${path}\n`, ctx.signal);
      return 0;
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') continue;
      if (!parsed.flags.has('q')) await complain(ctx, `${errorText(e)}`);
      return 1;
    }
  }
  if (!parsed.flags.has('q')) await complain(ctx, 'could not find a unique name');
  return 1;
}

/** `chgrp [-R] GROUP FILE...`: `chown :GROUP`. */
export async function chgrp(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  const first = args.findIndex((a) => !a.startsWith('-'));
  if (first < 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  const rewritten = [...args.slice(0, first), `:${args[first]!}`, ...args.slice(first + 1)];
  return chown({ ...ctx, argv: ['chgrp', ...rewritten] });
}
