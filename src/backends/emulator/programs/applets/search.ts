/**
 * `find`, `which` and `xargs`.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileStats } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { ExecutableNotFoundError, ExecutablePermissionError, resolveExecutable } from '../../exec/resolve.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { inputChunks } from './input.js';
import { matchPattern } from '../sh/pattern.js';

type Test = (path: string, st: FileStats, depth: number) => Promise<boolean>;

/** `find [PATH...] [-maxdepth N] [-mindepth N] [-name P] [-iname P] [-path P] [-type T] [!] [-print] [-exec CMD {} ;]`. */
export async function find(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  const roots: string[] = [];
  while (args.length > 0 && !args[0]!.startsWith('-') && args[0] !== '!' && args[0] !== '(') roots.push(args.shift()!);
  if (roots.length === 0) roots.push('.');
  let maxDepth = Infinity;
  let minDepth = 0;
  const tests: Test[] = [];
  let printed = false;
  let negateNext = false;
  const add = (t: Test): void => {
    const neg = negateNext;
    negateNext = false;
    tests.push(neg ? async (p, s, d) => !(await t(p, s, d)) : t);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a}: requires an argument`);
      return v;
    };
    try {
      switch (a) {
        case '!':
        case '-not':
          negateNext = !negateNext;
          break;
        case '-a':
        case '-and':
          break;
        case '-maxdepth':
          maxDepth = Number(value());
          break;
        case '-mindepth':
          minDepth = Number(value());
          break;
        case '-name': {
          const p = value();
          add(async (path) => matchPattern(p, posix.basename(path)));
          break;
        }
        case '-iname': {
          const p = value().toLowerCase();
          add(async (path) => matchPattern(p, posix.basename(path).toLowerCase()));
          break;
        }
        case '-path':
        case '-wholename': {
          const p = value();
          add(async (path) => matchPattern(p, path));
          break;
        }
        case '-type': {
          const t = value();
          const want = { f: 'file', d: 'directory', l: 'symlink', c: 'char', b: 'block', p: 'fifo' }[t];
          add(async (_p, st) => st.type === want);
          break;
        }
        case '-empty':
          add(async (p, st) => (st.isDirectory() ? (await ctx.fs.readdir(resolvePath(ctx.cwd, p))).length === 0 : st.size === 0));
          break;
        case '-print':
          printed = true;
          add(async (p) => {
            await write(ctx.stdout, `${p}\n`, ctx.signal);
            return true;
          });
          break;
        case '-exec': {
          const cmd: string[] = [];
          for (i++; i < args.length && args[i] !== ';' && args[i] !== '+'; i++) cmd.push(args[i]!);
          if (i >= args.length) throw new Error("-exec: requires an argument");
          printed = true;
          add(async (p) => (await ctx.exec(cmd.map((c) => c.replaceAll('{}', p)))) === 0);
          break;
        }
        default:
          throw new Error(`unrecognized: ${a}`);
      }
    } catch (e) {
      await complain(ctx, (e as Error).message);
      return 1;
    }
  }
  if (!printed) {
    tests.push(async (p) => {
      await write(ctx.stdout, `${p}\n`, ctx.signal);
      return true;
    });
  }
  let status = 0;
  const visit = async (shown: string, depth: number): Promise<void> => {
    ctx.signal.throwIfAborted();
    const path = resolvePath(ctx.cwd, shown);
    let st: FileStats;
    try {
      st = await ctx.fs.lstat(path);
    } catch (e) {
      await complain(ctx, `${shown}: ${errorText(e)}`);
      status = 1;
      return;
    }
    if (depth >= minDepth) {
      for (const t of tests) if (!(await t(shown, st, depth))) break;
    }
    if (st.isDirectory() && depth < maxDepth) {
      for (const name of await ctx.fs.readdir(path)) await visit(shown.endsWith('/') ? shown + name : `${shown}/${name}`, depth + 1);
    }
  };
  for (const root of roots) await visit(root, 0);
  return status;
}

/** `which [-a] NAME...`: prints where PATH finds each name. */
export async function which(ctx: ProgramContext): Promise<number> {
  let status = 0;
  for (const name of ctx.argv.slice(1).filter((a) => a !== '-a')) {
    try {
      const r = await resolveExecutable(ctx.fs, name, { path: ctx.env['PATH'], cwd: ctx.cwd, signal: ctx.signal });
      await write(ctx.stdout, `${r.path}\n`, ctx.signal);
    } catch (e) {
      if (!(e instanceof ExecutableNotFoundError || e instanceof ExecutablePermissionError)) throw e;
      status = 1;
    }
  }
  return status;
}

function splitXargs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|((?:\\.|[^\s"'])+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]!.replace(/\\(.)/g, '$1'));
  return out;
}

/** `xargs [-n N] [-I STR] [-0] [-t] [-r] [CMD [ARG...]]` (default command `echo`). */
export async function xargs(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let maxArgs = Infinity;
  let replace: string | undefined;
  let nul = false;
  let trace = false;
  let noRunIfEmpty = false;
  while (args.length > 0 && args[0]!.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-n') maxArgs = Number(args.shift());
    else if (a.startsWith('-n')) maxArgs = Number(a.slice(2));
    else if (a === '-I') replace = args.shift();
    else if (a.startsWith('-I')) replace = a.slice(2);
    else if (a === '-0') nul = true;
    else if (a === '-t') trace = true;
    else if (a === '-r') noRunIfEmpty = true;
    else if (a === '--') break;
    else {
      await complain(ctx, `invalid option -- '${a.slice(1)}'`);
      return 1;
    }
  }
  const command = args.length > 0 ? args : ['echo'];
  const chunks: Buffer[] = [];
  for await (const c of inputChunks(ctx)) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  const items = nul ? text.split('\0').filter((s) => s !== '') : replace !== undefined ? text.split('\n').filter((s) => s.trim() !== '') : splitXargs(text);
  const runs: string[][] = [];
  if (replace !== undefined) for (const item of items) runs.push(command.map((c) => c.replaceAll(replace!, item)));
  else if (items.length === 0) {
    if (!noRunIfEmpty) runs.push(command);
  } else {
    const size = Number.isFinite(maxArgs) && maxArgs > 0 ? maxArgs : items.length;
    for (let i = 0; i < items.length; i += size) runs.push([...command, ...items.slice(i, i + size)]);
  }
  let status = 0;
  for (const argv of runs) {
    if (trace) await write(ctx.stderr, `${argv.join(' ')}\n`);
    const code = await ctx.exec(argv);
    if (code === 127 || code === 126) return code;
    if (code !== 0) status = 123;
  }
  return status;
}
