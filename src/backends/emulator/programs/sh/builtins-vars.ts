/**
 * Builtins that read and change the shell's variables, parameters and options: `export`,
 * `readonly`, `set`, `local`, `shift`, `unset`, `read`.
 *
 * @module
 */
import { readLine, write } from '../io.js';
import { out, quote } from './builtin-support.js';
import { SpecialBuiltinExit } from './control.js';
import { readableOf, writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

const validName = (n: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n);

/**
 * The error of a special builtin (`export`, `set`, `shift`...): ash prints it and a
 * non-interactive shell exits with 2.
 */
async function fatal(sh: Shell, message: string, io: FdTable): Promise<never> {
  await sh.error(message, io);
  throw new SpecialBuiltinExit(2);
}

/**
 * `export NAME[=VALUE]...` and `readonly NAME[=VALUE]...`: mark (and set) variables; alone,
 * list them as commands that would recreate them.
 */
export async function exportOrReadonly(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const mark = argv[0] === 'readonly' ? 'readonly' : 'exported';
  const args = argv.slice(1).filter((a) => a !== '-p');
  if (args.length === 0) {
    const lines = [...sh.vars].filter(([, v]) => v[mark]).sort(([a], [b]) => (a < b ? -1 : 1));
    await out(io, lines.map(([k, v]) => `${argv[0]} ${k}=${quote(v.value)}\n`).join(''), sh);
    return 0;
  }
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!validName(name)) await fatal(sh, `${name}: bad variable name`, io);
    const existing = sh.vars.get(name);
    if (eq >= 0 && existing?.readonly) await fatal(sh, `${name}: is read only`, io);
    const value = eq < 0 ? (existing?.value ?? '') : arg.slice(eq + 1);
    sh.vars.set(name, { ...existing, value, exported: existing?.exported ?? false, [mark]: true });
  }
  return 0;
}

/** `set [-eux] [-o option] [--] [ARG...]`: options and positional parameters; alone, lists variables. */
export async function set(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1);
  if (args.length === 0) {
    const lines = [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1));
    await out(io, lines.map(([k, v]) => `${k}=${quote(v.value)}\n`).join(''), sh);
    return 0;
  }
  const names: Record<string, keyof Shell['flags']> = { e: 'errexit', x: 'xtrace', u: 'nounset' };
  const longNames: Record<string, keyof Shell['flags']> = { errexit: 'errexit', xtrace: 'xtrace', nounset: 'nounset', pipefail: 'pipefail' };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      sh.params = args.slice(i + 1);
      return 0;
    }
    if (a === '-o' || a === '+o') {
      const flag = longNames[args[++i] ?? ''];
      if (flag) sh.flags[flag] = a === '-o';
      else {
        // Unlike a bad letter, ash lets an unknown -o name pass with status 1.
        await sh.error(`illegal option -o ${args[i] ?? ''}`, io);
        return 1;
      }
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      for (const letter of a.slice(1)) {
        const flag = names[letter];
        if (flag) sh.flags[flag] = a[0] === '-';
        else if (!'fvCanmb'.includes(letter)) await fatal(sh, `illegal option -${letter}`, io);
      }
      continue;
    }
    break;
  }
  if (i < args.length) sh.params = args.slice(i);
  return 0;
}

/** `local NAME[=VALUE]...`: saves the variables in the current function's frame, restored on return. */
export async function local(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const frame = sh.localFrames[sh.localFrames.length - 1];
  if (!frame) await fatal(sh, 'not in a function', io);
  for (const arg of argv.slice(1)) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!validName(name)) {
      // ash reports this one as an assignment does, without naming `local`.
      sh.commandName = undefined;
      await fatal(sh, `${name}: bad variable name`, io);
    }
    if (!frame!.has(name)) {
      const old = sh.vars.get(name);
      frame!.set(name, old ? { ...old } : undefined);
    }
    const existing = sh.vars.get(name);
    sh.vars.set(name, { value: eq < 0 ? (existing?.value ?? '') : arg.slice(eq + 1), exported: existing?.exported ?? false });
  }
  return 0;
}

/** `shift [N]`: drops the first N positional parameters. */
export async function shift(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const arg = argv[1];
  if (arg !== undefined && !/^\d+$/.test(arg)) await fatal(sh, `Illegal number: ${arg}`, io);
  const n = arg === undefined ? 1 : Number(arg);
  // busybox ash fails quietly with 1 when there are not that many parameters.
  if (n > sh.params.length) return 1;
  sh.params = sh.params.slice(n);
  return 0;
}

/** `unset [-v] NAME...` / `unset -f NAME...`: removes variables or functions. */
export async function unset(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  let functions = false;
  for (const arg of argv.slice(1)) {
    if (arg === '-f') functions = true;
    else if (arg === '-v') functions = false;
    else if (functions) sh.functions.delete(arg);
    else {
      if (!validName(arg)) await fatal(sh, `${arg}: bad variable name`, io);
      if (sh.vars.get(arg)?.readonly) await fatal(sh, `${arg}: is read only`, io);
      sh.vars.delete(arg);
    }
  }
  return 0;
}

/** `read [-r] [-p PROMPT] [NAME...]`: one line of stdin split on IFS into the names; 1 at end of input. */
export async function read(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  let raw = false;
  const names: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-r') raw = true;
    else if (a === '-p') await write(writableOf(io, 2), args[++i] ?? '');
    else if (a.startsWith('-') && names.length === 0) {
      await sh.appletError(`read: illegal option ${a}`, io);
      return 2;
    } else names.push(a);
  }
  for (const name of names) {
    // busybox's read shares its wording with the applets: no line number, status 1.
    if (!validName(name)) {
      await sh.appletError(`read: '${name}': bad variable name`, io);
      return 1;
    }
  }
  if (names.length === 0) names.push('REPLY');
  const stdin = readableOf(io);
  let line = '';
  let gotAny = false;
  for (;;) {
    const piece = await readLine(stdin, sh.ctx.signal);
    if (piece === null) break;
    gotAny = true;
    if (!raw && piece.endsWith('\\') && !piece.endsWith('\\\\')) {
      line += piece.slice(0, -1);
      continue;
    }
    line += piece;
    break;
  }
  if (!raw) line = line.replace(/\\(.)/g, '$1');
  const ifs = sh.lookup('IFS') ?? ' \t\n';
  const ws = ifs.replace(/[^ \t\n]/g, '');
  const cls = `[${ifs.replace(/[\]\\^-]/g, '\\$&')}]`;
  let rest = ws ? line.replace(new RegExp(`^[${ws}]+|[${ws}]+$`, 'g'), '') : line;
  names.forEach((name, i) => {
    if (i === names.length - 1) {
      sh.assign(name, rest);
      return;
    }
    const m = new RegExp(`${cls}+`).exec(rest);
    if (!m) {
      sh.assign(name, rest);
      rest = '';
    } else {
      sh.assign(name, rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
  });
  return gotAny ? 0 : 1;
}
