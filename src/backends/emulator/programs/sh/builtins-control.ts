/**
 * Builtins that steer the evaluator: `exit`, `return`, `break`, `continue`, `trap`, `wait`,
 * `.`/`source`, `exec`, `eval`.
 *
 * @module
 */
import { posix } from 'node:path';
import { raceSignal, signalNumber } from '../io.js';
import { out, quote, type Builtin } from './builtin-support.js';
import { ExitSignal, LoopSignal, ReturnSignal, SpecialBuiltinExit } from './control.js';
import type { FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/** `exit [N]`: ends the shell (or subshell) with N, or the last status. */
export async function exit(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const arg = argv[1];
  if (arg !== undefined && !/^\d+$/.test(arg)) {
    await sh.error(`Illegal number: ${arg}`, io);
    throw new SpecialBuiltinExit(2);
  }
  throw new ExitSignal(arg === undefined ? sh.status : Number(arg) & 255);
}

/** `return [N]`: leaves the current function or sourced file. */
export async function returnBuiltin(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const arg = argv[1];
  if (arg !== undefined && !/^\d+$/.test(arg)) {
    await sh.error(`Illegal number: ${arg}`, io);
    throw new SpecialBuiltinExit(2);
  }
  throw new ReturnSignal(arg === undefined ? sh.status : Number(arg) & 255);
}

/** `break [N]` / `continue [N]`; outside a loop they do nothing; N must be a positive number. */
export function loopControl(kind: 'break' | 'continue'): Builtin {
  return async (sh, argv, io) => {
    const arg = argv[1];
    const n = arg === undefined ? 1 : /^\d+$/.test(arg) ? Number(arg) : 0;
    if (n < 1) {
      // A special builtin: its error ends a non-interactive shell.
      await sh.error(`Illegal number: ${arg}`, io);
      throw new SpecialBuiltinExit(2);
    }
    if (sh.loopDepth === 0) return 0;
    throw new LoopSignal(kind, Math.max(1, Math.min(n, sh.loopDepth)));
  };
}

/** `trap [ACTION] SIGNAL...`: sets, resets (`-` or numbers only) or lists trap actions. */
export async function trap(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1);
  if (args.length === 0) {
    const lines = [...sh.traps].map(([sig, action]) => `trap -- ${quote(action)} ${sig}\n`);
    await out(io, lines.join(''), sh);
    return 0;
  }
  let action: string | undefined = args[0]!;
  let signals = args.slice(1);
  // `trap N...` with only signal numbers resets them, as `trap - N...` does.
  if (/^\d+$/.test(action)) {
    signals = args;
    action = undefined;
  }
  for (const raw of signals) {
    const upper = raw.toUpperCase().replace(/^SIG/, '');
    const name = upper === '0' || upper === 'EXIT' ? 'EXIT' : /^\d+$/.test(upper) ? numberName(Number(upper)) : knownName(upper);
    if (name === undefined) {
      await sh.error(`${raw}: invalid signal specification`, io);
      return 1;
    }
    if (action === undefined || action === '-') sh.traps.delete(name);
    else sh.traps.set(name, action);
  }
  return 0;
}

/** `name` when it is a signal the shell can trap (signalNumber falls back to TERM for others). */
function knownName(name: string): string | undefined {
  return name === 'TERM' || signalNumber(name) !== signalNumber('TERM') ? name : undefined;
}

function numberName(n: number): string | undefined {
  for (const name of ['HUP', 'INT', 'QUIT', 'ABRT', 'KILL', 'USR1', 'USR2', 'PIPE', 'ALRM', 'TERM']) {
    if (signalNumber(name) === n) return name;
  }
  return undefined;
}

/** `wait [PID...]`: waits for background jobs (all of them without arguments); the last one's status. */
export async function wait(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const ids = argv.slice(1);
  const pick = ids.length > 0 ? ids.map(Number) : [...sh.jobs.keys()];
  let status = 0;
  for (const [i, id] of pick.entries()) {
    if (ids[i]?.startsWith('%')) {
      // Job specs need job control, which this shell has not: ash's answer when none matches.
      await sh.error(`${ids[i]}: no such job`, io);
      return 2;
    }
    const job = sh.jobs.get(id);
    if (!job) {
      // ash says nothing about a pid that is not its child: the status tells.
      status = 127;
      continue;
    }
    status = await raceSignal(job, sh.ctx.signal);
    sh.jobs.delete(id);
  }
  return status;
}

/** `. FILE [ARG...]` / `source`: runs FILE (searched in PATH without a `/`) in this shell. */
export async function source(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const file = argv[1];
  if (file === undefined) {
    await sh.error('filename argument required', io);
    return 2;
  }
  let path = sh.resolve(file);
  if (!file.includes('/')) {
    for (const dir of [...(sh.lookup('PATH') ?? '').split(':'), sh.cwd]) {
      const candidate = posix.resolve(sh.cwd, dir || '.', file);
      if (await sh.fs.stat(candidate).then((s) => s.isFile(), () => false)) {
        path = candidate;
        break;
      }
    }
  }
  let text: string;
  try {
    text = (await sh.fs.readFile(path)).toString('utf8');
  } catch {
    await sh.error(`can't open '${file}': No such file or directory`, io);
    throw new SpecialBuiltinExit(2);
  }
  const savedParams = sh.params;
  const savedLine = sh.line;
  if (argv.length > 2) sh.params = argv.slice(2);
  // ash names the file in the messages of its commands and counts its own lines from 1.
  sh.commandName = file;
  try {
    return await sh.runSource(text, 1, io);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.code;
    throw e;
  } finally {
    if (argv.length > 2) sh.params = savedParams;
    sh.line = savedLine;
  }
}

/** `exec CMD...`: runs CMD and ends the shell with its status. */
export async function execBuiltin(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1);
  // `exec` without a command is handled by the evaluator (its redirections persist).
  if (args.length === 0) return 0;
  throw new ExitSignal(await sh.invoke(args, [], io, true));
}

/**
 * `eval ARG...`: runs the joined arguments as shell source, its lines counted on from the
 * line `eval` stands on; a syntax error in them ends the shell (eval is a special builtin).
 */
export async function evalBuiltin(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  return sh.runSource(argv.slice(1).join(' '), sh.line, io);
}
