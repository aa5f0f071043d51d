/**
 * Command lookup and calls: a function, then a builtin, then a program run through the
 * context's `exec` (which resolves it in PATH inside the container).
 *
 * @module
 */
import { BrokenPipeError } from '../io.js';
import type { Command } from './ast.js';
import { shellBuiltins } from './builtins.js';
import { ReturnSignal } from './control.js';
import { readableOf, writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/**
 * Runs a command by name: a function (unless `skipFunctions`, as `command` and `exec` ask),
 * then a builtin, then a program. `assigns` apply to that command only.
 */
export async function invokeCommand(sh: Shell, argv: string[], assigns: [string, string][], io: FdTable, skipFunctions = false): Promise<number> {
  const name = argv[0]!;
  const fn = skipFunctions ? undefined : sh.functions.get(name);
  const builtin = Object.hasOwn(shellBuiltins, name) ? shellBuiltins[name] : undefined;
  if (fn || builtin) {
    const saved = assigns.map(([k]) => [k, sh.vars.get(k)] as const);
    for (const [k, v] of assigns) sh.vars.set(k, { value: v, exported: true });
    try {
      return fn ? await callFunction(sh, fn, argv, io) : await builtin!(sh, argv, io);
    } catch (e) {
      if (e instanceof BrokenPipeError) return 141;
      throw e;
    } finally {
      // `export`/`unset` inside may have changed the variable on purpose: only restore untouched ones.
      for (const [k, old] of saved) {
        if (old === undefined) sh.vars.delete(k);
        else sh.vars.set(k, old);
      }
    }
  }
  return sh.ctx.exec(argv, {
    // A background job's programs must also end when the top shell abandons its jobs.
    ...(sh.background ? { signal: sh.ctx.signal } : {}),
    env: sh.environment(assigns),
    cwd: sh.cwd,
    stdin: readableOf(io),
    stdout: writableOf(io, 1),
    stderr: writableOf(io, 2),
  });
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
