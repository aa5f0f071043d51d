/**
 * Choosing and running the program for an argument vector.
 *
 * The order is the kernel's and busybox's: resolve `argv[0]` in PATH; a file that starts with
 * `#!` runs its interpreter with the script's path; otherwise the program is picked by the name
 * it was invoked by (`/bin/ls -> busybox` runs `ls`), then by the resolved file's own name
 * (`busybox ls`). Every nested `ctx.exec` goes through here again, so programs started by a
 * shell are found the same way as the container's main program.
 *
 * @module
 */
import { posix } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import type { Program, ProgramContext, ProgramExecOptions, ProgramTable } from '../program.js';
import { builtinPrograms } from '../programs/index.js';
import { BrokenPipeError, SignalledError, complain, raceSignal, signalNumber, signalStatus } from '../programs/io.js';
import {
  ExecutableNotFoundError,
  ExecutablePermissionError,
  resolveExecutable,
  type ResolvedExecutableInfo,
} from './resolve.js';

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** User programs; a name here shadows the built-in of the same name. */
  programs?: ProgramTable;
  /** The built-in table (default {@link builtinPrograms}). */
  builtins?: ProgramTable;
  /**
   * Run a known program even when PATH has no file for it (for filesystems without the
   * busybox links). Off by default: a missing file is exit 127, as Docker reports it.
   */
  fallbackToBuiltins?: boolean;
}

/** What {@link selectProgram} picked. */
export interface SelectedProgramInfo {
  /** The program to run. */
  program: Program;
  /** The argument vector to give it (rewritten for `#!` scripts). */
  argv: string[];
  /** The file that was resolved, when there was one. */
  resolved?: ResolvedExecutableInfo;
}

const MAX_SHEBANG_DEPTH = 4;

/**
 * Picks the program for `argv` without running it.
 *
 * @throws ExecutableNotFoundError when nothing runnable has that name (exit 127)
 * @throws ExecutablePermissionError when the file is not executable (exit 126)
 */
export async function selectProgram(
  argv: string[],
  fs: FileSystemApi,
  env: Record<string, string>,
  cwd: string,
  options: LaunchOptions = {},
  signal?: AbortSignal,
): Promise<SelectedProgramInfo> {
  const table = { ...(options.builtins ?? builtinPrograms), ...(options.programs ?? {}) };
  const known = (name: string): Program | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);
  let current = argv;
  for (let depth = 0; ; depth++) {
    const argv0 = current[0] ?? '';
    let resolved: ResolvedExecutableInfo;
    try {
      resolved = await resolveExecutable(fs, argv0, { path: env['PATH'], cwd, signal });
    } catch (e) {
      const fallback = known(posix.basename(argv0));
      if (options.fallbackToBuiltins && fallback && e instanceof ExecutableNotFoundError && !argv0.includes('/')) {
        return { program: fallback, argv: current };
      }
      throw e;
    }
    const interpreter = depth < MAX_SHEBANG_DEPTH ? await readShebang(fs, resolved.path) : undefined;
    if (interpreter) {
      // As the kernel does: interpreter, its one optional argument, the script path, the rest.
      const script = argv0.includes('/') ? argv0 : resolved.path;
      current = [...interpreter, script, ...current.slice(1)];
      continue;
    }
    const byName = known(posix.basename(argv0));
    if (byName) return { program: byName, argv: current, resolved };
    const byFile = known(posix.basename(resolved.realPath));
    if (byFile) return { program: byFile, argv: current, resolved };
    throw new ExecutableNotFoundError(argv0);
  }
}

const SHEBANG_MAX = 256;

async function readShebang(fs: FileSystemApi, path: string): Promise<string[] | undefined> {
  let head: Buffer;
  try {
    // The kernel reads one page to find `#!`; never copy a whole binary for it.
    head = fs.readFileHead ? await fs.readFileHead(path, SHEBANG_MAX) : await fs.readFile(path);
  } catch {
    return undefined;
  }
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(10);
  const line = head.subarray(2, end < 0 ? Math.min(head.length, 256) : end).toString('utf8').trim();
  if (line === '') return undefined;
  const space = line.search(/[ \t]/);
  if (space < 0) return [line];
  // Linux passes everything after the interpreter as one argument.
  return [line.slice(0, space), line.slice(space).trim()].filter((s) => s !== '');
}

/**
 * Runs `argv` in the container `base` describes and resolves to its exit status.
 *
 * The program gets a copy of `base` with `argv` set and an `exec` that launches through the
 * same tables. A program that throws is reported on stderr with exit 1; one stopped by its
 * signal ends with 128 + the signal's number; a broken pipe ends with 141.
 *
 * @example
 * ```ts
 * const code = await launch(['sh', '-c', 'echo hi'], ctx, { programs: { app: myApp } });
 * ```
 * @throws ExecutableNotFoundError / ExecutablePermissionError before anything runs, so an
 *   engine can fail `start` as Docker does
 */
export async function launch(argv: string[], base: ProgramContext, options: LaunchOptions = {}): Promise<number> {
  const { program, argv: finalArgv } = await selectProgram(argv, base.fs, base.env, base.cwd, options, base.signal);
  const ctx = childContext(base, finalArgv, options);
  return runProgram(program, ctx);
}

/** Runs a program, turning what it throws into an exit status. */
export async function runProgram(program: Program, ctx: ProgramContext): Promise<number> {
  try {
    return await program(ctx);
  } catch (e) {
    if (e instanceof BrokenPipeError) return 128 + signalNumber('SIGPIPE');
    if (e instanceof SignalledError) return 128 + signalNumber(e.signalName);
    if (ctx.signal.aborted) return signalStatus(ctx.signal);
    await complain(ctx, e instanceof Error ? e.message : String(e));
    return 1;
  }
}

function childContext(base: ProgramContext, argv: string[], options: LaunchOptions): ProgramContext {
  const ctx: ProgramContext = {
    argv,
    env: { ...base.env },
    cwd: base.cwd,
    hostname: base.hostname,
    stdin: base.stdin,
    stdout: base.stdout,
    stderr: base.stderr,
    fs: base.fs,
    net: base.net,
    signal: base.signal,
    pid: base.pid,
    checkpoint: base.checkpoint,
    fork: base.fork,
    sleep: (ms) => base.sleep(ms),
    // A method, not an arrow: called on a copy of this context (a shell's subshell carries its
    // own `pid` and `fork`), the child is that copy's child.
    exec(childArgv, execOptions) {
      return execFrom(this ?? ctx, childArgv, execOptions ?? {}, options);
    },
  };
  return ctx;
}

/**
 * The `exec` of a launched program: runs a child in a new process (fork, then exec) and
 * reports 127/126 on the caller's stderr the way a shell does (`sh: foo: not found`) instead
 * of throwing.
 *
 * @throws ForkError when the container's process limit is reached
 */
async function execFrom(
  parent: ProgramContext,
  argv: string[],
  execOptions: ProgramExecOptions,
  options: LaunchOptions,
): Promise<number> {
  using child = execOptions.replace ? undefined : parent.fork(argv);
  const stdin = execOptions.stdin ?? emptyInput();
  const extra = execOptions.signal;
  const signal = extra && extra !== parent.signal ? AbortSignal.any([parent.signal, extra]) : parent.signal;
  const base: ProgramContext = {
    ...parent,
    pid: child?.pid ?? parent.pid,
    fork: child?.fork ?? parent.fork,
    signal,
    // The caller's sleep only knows the caller's signal: give up at once on the extra one too.
    sleep: signal === parent.signal ? parent.sleep : (ms) => raceSignal(parent.sleep(ms), signal),
    env: execOptions.env ?? parent.env,
    cwd: execOptions.cwd ?? parent.cwd,
    stdin,
    stdout: execOptions.stdout ?? parent.stdout,
    stderr: execOptions.stderr ?? parent.stderr,
  };
  try {
    return await launch(argv, base, options);
  } catch (e) {
    const reporter = { ...base, argv: parent.argv };
    if (e instanceof ExecutableNotFoundError) {
      await complain(reporter, `${argv[0] ?? ''}: not found`);
      return 127;
    }
    if (e instanceof ExecutablePermissionError) {
      await complain(reporter, `${argv[0] ?? ''}: Permission denied`);
      return 126;
    }
    if (parent.signal.aborted) return signalStatus(parent.signal);
    throw e;
  }
}

function emptyInput(): PassThrough {
  const s = new PassThrough();
  s.end();
  return s;
}
