/**
 * `test` and `[`: file tests, string and integer comparisons, `!`, `-a`, `-o` and parentheses,
 * with the POSIX rules for how the argument count decides the meaning.
 *
 * @module
 */
import type { FileSystemApi, FileStats } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { complain, resolvePath } from '../io.js';

class TestSyntaxError extends Error {}

const UNARY = new Set(['-e', '-f', '-d', '-z', '-n', '-x', '-s', '-r', '-w', '-L', '-h', '-b', '-c', '-p', '-S', '-t', '-g', '-u', '-k', '-O', '-G']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-gt', '-le', '-ge', '<', '>', '-nt', '-ot', '-ef']);

/** Evaluates a `test` expression; resolves to 0 (true), 1 (false) or 2 (error). */
export async function evaluateTest(
  args: string[],
  fs: FileSystemApi,
  cwd: string,
  onError: (m: string) => Promise<void>,
  isTerminal: (fd: number) => boolean = () => false,
): Promise<number> {
  const stat = async (p: string, follow = true): Promise<FileStats | undefined> => {
    if (p === '') return undefined;
    try {
      return await (follow ? fs.stat(resolvePath(cwd, p)) : fs.lstat(resolvePath(cwd, p)));
    } catch {
      return undefined;
    }
  };
  const int = (s: string): bigint => {
    if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new TestSyntaxError(`${s}: invalid number`);
    return BigInt(s.trim());
  };
  const unary = async (op: string, arg: string): Promise<boolean> => {
    switch (op) {
      case '-z': return arg === '';
      case '-n': return arg !== '';
      case '-t': return /^\d+$/.test(arg) && isTerminal(Number(arg));
      case '-L': case '-h': return (await stat(arg, false))?.isSymbolicLink() ?? false;
    }
    const st = await stat(arg);
    if (!st) return false;
    switch (op) {
      case '-e': return true;
      case '-f': return st.isFile();
      case '-d': return st.isDirectory();
      case '-s': return st.size > 0;
      case '-x': return (st.mode & 0o111) !== 0 || st.isDirectory();
      case '-r': case '-w': return true;
      case '-b': return st.type === 'block';
      case '-c': return st.type === 'char';
      case '-p': return st.type === 'fifo';
      case '-u': return (st.mode & 0o4000) !== 0;
      case '-g': return (st.mode & 0o2000) !== 0;
      case '-k': return (st.mode & 0o1000) !== 0;
      default: return false;
    }
  };
  const binary = async (a: string, op: string, b: string): Promise<boolean> => {
    switch (op) {
      case '=': case '==': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '>': return a > b;
      case '-eq': return int(a) === int(b);
      case '-ne': return int(a) !== int(b);
      case '-lt': return int(a) < int(b);
      case '-gt': return int(a) > int(b);
      case '-le': return int(a) <= int(b);
      case '-ge': return int(a) >= int(b);
      case '-nt': case '-ot': {
        const x = await stat(a);
        const y = await stat(b);
        if (!x || !y) return op === '-nt' ? !!x : !!y;
        return op === '-nt' ? x.mtime > y.mtime : x.mtime < y.mtime;
      }
      default: return false;
    }
  };
  // Recursive descent for the general case: or -> and -> not -> primary.
  let pos = 0;
  const orExpr = async (): Promise<boolean> => {
    let v = await andExpr();
    while (args[pos] === '-o') {
      pos++;
      const r = await andExpr();
      v = v || r;
    }
    return v;
  };
  const andExpr = async (): Promise<boolean> => {
    let v = await notExpr();
    while (args[pos] === '-a') {
      pos++;
      const r = await notExpr();
      v = v && r;
    }
    return v;
  };
  const notExpr = async (): Promise<boolean> => {
    if (args[pos] === '!' && pos + 1 < args.length) {
      pos++;
      return !(await notExpr());
    }
    return primary();
  };
  const primary = async (): Promise<boolean> => {
    const a = args[pos];
    if (a === undefined) throw new TestSyntaxError('argument expected');
    if (a === '(' && args.length - pos > 2) {
      pos++;
      const v = await orExpr();
      if (args[pos] !== ')') throw new TestSyntaxError("')' expected");
      pos++;
      return v;
    }
    const b = args[pos + 1];
    if (b !== undefined && BINARY.has(b) && args[pos + 2] !== undefined) {
      pos += 3;
      return binary(a, b, args[pos - 1]!);
    }
    if (UNARY.has(a) && b !== undefined) {
      pos += 2;
      return unary(a, b);
    }
    pos++;
    return a !== '';
  };
  try {
    let result: boolean;
    switch (args.length) {
      case 0: result = false; break;
      case 1: result = args[0] !== ''; break;
      case 2:
        if (args[0] === '!') result = args[1] === '';
        else if (UNARY.has(args[0]!)) result = await unary(args[0]!, args[1]!);
        else throw new TestSyntaxError(`${args[0]}: unary operator expected`);
        break;
      case 3:
        if (BINARY.has(args[1]!)) result = await binary(args[0]!, args[1]!, args[2]!);
        else if (args[0] === '!') result = !(await evaluateTest(args.slice(1), fs, cwd, onError, isTerminal) === 0);
        else if (args[0] === '(' && args[2] === ')') result = args[1] !== '';
        else result = await orExpr();
        break;
      default:
        result = await orExpr();
    }
    if (args.length > 3 && pos !== args.length) throw new TestSyntaxError(`${args[pos]}: unknown operand`);
    return result ? 0 : 1;
  } catch (e) {
    if (e instanceof TestSyntaxError) {
      await onError(e.message);
      return 2;
    }
    throw e;
  }
}

/** `test EXPR`, `[ EXPR ]` and `[[ EXPR ]]`. */
export async function test(ctx: ProgramContext): Promise<number> {
  let args = ctx.argv.slice(1);
  // `[ ... ]`, and busybox's `[[ ... ]]` applet, which tests the same way.
  const close = ctx.argv[0]?.endsWith('[[') ? ']]' : ctx.argv[0]?.endsWith('[') ? ']' : undefined;
  if (close !== undefined) {
    if (args[args.length - 1] !== close) {
      await complain(ctx, `missing ${close}`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  const streams = [ctx.stdin, ctx.stdout, ctx.stderr];
  return evaluateTest(args, ctx.fs, ctx.cwd, (m) => complain(ctx, m), (fd) => isTerminalStream(streams[fd]));
}

/** Whether a program's stream is a terminal (the emulator marks TTY streams with `isTTY`). */
export function isTerminalStream(stream: unknown): boolean {
  return (stream as { isTTY?: boolean } | undefined)?.isTTY === true;
}
