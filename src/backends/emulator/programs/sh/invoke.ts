/**
 * Command lookup and calls: a function, then a builtin, then a program run through the
 * context's `exec` (which resolves it in PATH inside the container).
 *
 * @module
 */
import { posix } from 'node:path';
import { DEFAULT_PATH, ExecutableNotFoundError, ExecutablePermissionError, resolveExecutable } from '../../exec/resolve.js';
import { BrokenPipeError } from '../io.js';
import type { Command } from './ast.js';
import { shellBuiltins, specialBuiltins } from './builtins.js';
import { ExitSignal, ReturnSignal, ShellFailure, SpecialBuiltinExit } from './control.js';
import { recoverCommand } from './recover.js';
import { readableOf, writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/**
 * Runs a command by name: a function (unless `skipFunctions`, as `command` and `exec` ask),
 * then a builtin, then a program (run in the shell's own process when `inPlace`: the last
 * command of a subshell). `assigns` apply to that command only.
 */
export async function invokeCommand(sh: Shell, argv: string[], assigns: [string, string][], io: FdTable, skipFunctions = false, inPlace = false): Promise<number> {
  const name = argv[0]!;
  const fn = skipFunctions ? undefined : sh.functions.get(name);
  const builtin = Object.hasOwn(shellBuiltins, name) ? shellBuiltins[name] : undefined;
  if (fn || builtin) {
    const saved = assigns.map(([k]) => [k, sh.vars.get(k)] as const);
    for (const [k, v] of assigns) sh.vars.set(k, { value: v, exported: true });
    const savedName = sh.commandName;
    // A builtin's messages carry its name, and so do those of what it runs (`eval`, `.`).
    if (!fn) sh.commandName = name;
    try {
      return fn ? await callFunction(sh, fn, argv, io) : await builtin!(sh, argv, io);
    } catch (e) {
      if (e instanceof BrokenPipeError) return 141;
      // Reported here, while the message can still name the builtin (`sh: export: line 0: ...`).
      if (e instanceof ShellFailure) {
        // Only a special builtin's failure ends the shell; any other builtin just fails (status 2).
        const status = await recoverCommand(sh, new ShellFailure(e.message, e.status, false), io);
        if (e.fatal && fn) throw new ExitSignal(status);
        if (e.fatal && specialBuiltins.has(name)) throw new SpecialBuiltinExit(status);
        return status;
      }
      throw e;
    } finally {
      sh.commandName = savedName;
      // `export`/`unset` inside may have changed the variable on purpose: only restore untouched ones.
      for (const [k, old] of saved) {
        if (old === undefined) sh.vars.delete(k);
        else sh.vars.set(k, old);
      }
    }
  }
  if (sh.named || sh.commandName !== undefined || sh.scriptName !== posix.basename(sh.ctx.argv[0] ?? 'sh')) {
    // The launcher words "not found" as `sh: name: ...`; a named script reports it with its
    // own name and the line (`s.sh: line 3: nosuch: not found`), so look the name up first.
    const missing = await lookupFailure(sh, name, sh.environment(assigns)['PATH']);
    if (missing) {
      await sh.error(`${name}: ${missing.message}`, io);
      return missing.status;
    }
  }
  return sh.ctx.exec(argv, {
    // A background job's programs must also end when the top shell abandons its jobs.
    ...(sh.background ? { signal: sh.ctx.signal } : {}),
    ...(inPlace ? { replace: true } : {}),
    env: sh.environment(assigns),
    cwd: sh.cwd,
    stdin: readableOf(io),
    stdout: writableOf(io, 1),
    stderr: writableOf(io, 2),
  });
}

/**
 * Names already found, per filesystem: like ash's command hash table, a name that resolved
 * once is not looked up again before the launcher does it (a lookup per command would double
 * the cost of every program run from a script). Misses are never remembered.
 */
const found = new WeakMap<object, Set<string>>();

/** Why `name` cannot be run (the launcher's 127 and 126), or undefined when it can. */
async function lookupFailure(sh: Shell, name: string, path: string | undefined): Promise<{ message: string; status: number } | undefined> {
  const key = `${path ?? ''}\0${name.includes('/') ? sh.cwd : ''}\0${name}`;
  let known = found.get(sh.fs);
  if (known?.has(key)) return undefined;
  try {
    await resolveExecutable(sh.fs, name, { path: path ?? DEFAULT_PATH, cwd: sh.cwd, signal: sh.ctx.signal });
    if (!known) found.set(sh.fs, (known = new Set()));
    if (known.size > 1000) known.clear();
    known.add(key);
    return undefined;
  } catch (e) {
    if (e instanceof ExecutableNotFoundError) return { message: 'not found', status: 127 };
    if (e instanceof ExecutablePermissionError) return { message: 'Permission denied', status: 126 };
    // Anything else (a cancelled lookup) is left to the launcher to report.
    return undefined;
  }
}

/** Calls a shell function with `argv[1..]` as its positional parameters and a `local` frame. */
export async function callFunction(sh: Shell, body: Command, argv: string[], io: FdTable): Promise<number> {
  const savedParams = sh.params;
  sh.params = argv.slice(1);
  sh.localFrames.push(new Map());
  try {
    return await sh.runCommand(body, io);
  } catch (e) {
    if (e instanceof ReturnSignal) return (sh.status = e.code);
    throw e;
  } finally {
    const frame = sh.localFrames.pop()!;
    for (const [k, old] of frame) {
      if (old === undefined) sh.vars.delete(k);
      else sh.vars.set(k, old);
    }
    sh.params = savedParams;
  }
}
