/**
 * The shell's builtins: the commands that must run inside the shell because they change its
 * state (cd, export, set, trap...), plus a few that are faster in-process (echo, test, printf).
 *
 * @module
 */
import { posix } from 'node:path';
import { ExecutableNotFoundError, ExecutablePermissionError, resolveExecutable } from '../../exec/resolve.js';
import { echo, printf } from '../applets/echo-printf.js';
import { evaluateTest } from '../applets/test.js';
import { raceSignal, readLine, signalNumber, write } from '../io.js';
import { ExitSignal, LoopSignal, ReturnSignal } from './control.js';
import { getopts } from './getopts.js';
import { readableOf, writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';
import { parseScript } from './parser.js';
import { ShSyntaxError } from './lexer.js';

/** A builtin: runs with the shell, its argument vector and the command's descriptors. */
export type Builtin = (sh: Shell, argv: string[], io: FdTable) => Promise<number>;

const out = (io: FdTable, text: string, sh: Shell): Promise<void> => write(writableOf(io, 1), text, sh.ctx.signal);

function quote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]*$/.test(value) && value !== '' ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

const validName = (n: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n);

async function cd(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1).filter((a) => a !== '-L' && a !== '-P');
  let target = args[0] ?? sh.lookup('HOME') ?? '/';
  let print = false;
  if (target === '-') {
    target = sh.lookup('OLDPWD') ?? sh.cwd;
    print = true;
  }
  const path = sh.resolve(target);
  try {
    const st = await sh.fs.stat(path);
    if (!st.isDirectory()) throw Object.assign(new Error('Not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    const code = (e as { code?: string }).code;
    await sh.error(`cd: can't cd to ${target}: ${code === 'ENOTDIR' ? 'Not a directory' : 'No such file or directory'}`, io);
    return 2;
  }
  sh.vars.set('OLDPWD', { value: sh.cwd, exported: true });
  sh.cwd = path;
  sh.vars.set('PWD', { value: path, exported: sh.vars.get('PWD')?.exported ?? true });
  if (print) await out(io, `${path}\n`, sh);
  return 0;
}

async function exportOrReadonly(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1).filter((a) => a !== '-p');
  if (args.length === 0) {
    const lines = [...sh.vars].filter(([, v]) => v.exported).sort(([a], [b]) => (a < b ? -1 : 1));
    await out(io, lines.map(([k, v]) => `export ${k}=${quote(v.value)}\n`).join(''), sh);
    return 0;
  }
  let status = 0;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!validName(name)) {
      await sh.error(`export: ${arg}: bad variable name`, io);
      status = 1;
      continue;
    }
    const existing = sh.vars.get(name);
    sh.vars.set(name, { value: eq < 0 ? (existing?.value ?? '') : arg.slice(eq + 1), exported: true });
  }
  return status;
}

async function set(sh: Shell, argv: string[], io: FdTable): Promise<number> {
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
        await sh.error(`set: illegal option -o ${args[i] ?? ''}`, io);
        return 2;
      }
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      for (const letter of a.slice(1)) {
        const flag = names[letter];
        if (flag) sh.flags[flag] = a[0] === '-';
        else if (!'fvCanmb'.includes(letter)) {
          await sh.error(`set: illegal option -${letter}`, io);
          return 2;
        }
      }
      continue;
    }
    break;
  }
  if (i < args.length) sh.params = args.slice(i);
  return 0;
}

async function exit(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const arg = argv[1];
  if (arg !== undefined && !/^-?\d+$/.test(arg)) {
    await sh.error(`exit: Illegal number: ${arg}`, io);
    throw new ExitSignal(2);
  }
  throw new ExitSignal(arg === undefined ? sh.status : Number(arg) & 255);
}

async function trap(sh: Shell, argv: string[], io: FdTable): Promise<number> {
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
    const name = upper === '0' || upper === 'EXIT' ? 'EXIT' : /^\d+$/.test(upper) ? numberName(Number(upper)) : upper;
    if (name === undefined) {
      await sh.error(`trap: ${raw}: bad trap`, io);
      return 1;
    }
    if (action === undefined || action === '-') sh.traps.delete(name);
    else sh.traps.set(name, action);
  }
  return 0;
}

function numberName(n: number): string | undefined {
  for (const name of ['HUP', 'INT', 'QUIT', 'ABRT', 'KILL', 'USR1', 'USR2', 'PIPE', 'ALRM', 'TERM']) {
    if (signalNumber(name) === n) return name;
  }
  return undefined;
}

async function read(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  let raw = false;
  const names: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-r') raw = true;
    else if (a === '-p') await write(writableOf(io, 2), args[++i] ?? '');
    else if (a.startsWith('-') && names.length === 0) {
      await sh.error(`read: illegal option ${a}`, io);
      return 2;
    } else names.push(a);
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

async function wait(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const ids = argv.slice(1);
  const pick = ids.length > 0 ? ids.map(Number) : [...sh.jobs.keys()];
  let status = 0;
  for (const id of pick) {
    const job = sh.jobs.get(id);
    if (!job) {
      await sh.error(`wait: pid ${id} is not a child of this shell`, io);
      status = 127;
      continue;
    }
    status = await raceSignal(job, sh.ctx.signal);
    sh.jobs.delete(id);
  }
  return status;
}

async function source(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const file = argv[1];
  if (file === undefined) {
    await sh.error(`${argv[0]}: filename argument required`, io);
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
    await sh.error(`${argv[0]}: can't open '${file}': No such file or directory`, io);
    throw new ExitSignal(2);
  }
  const savedParams = sh.params;
  if (argv.length > 2) sh.params = argv.slice(2);
  try {
    return await sh.runSource(text);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.code;
    throw e;
  } finally {
    if (argv.length > 2) sh.params = savedParams;
  }
}

async function execBuiltin(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1);
  // `exec` without a command is handled by the evaluator (its redirections persist).
  if (args.length === 0) return 0;
  throw new ExitSignal(await sh.invoke(args, [], io, true));
}

async function typeOf(sh: Shell, name: string): Promise<{ kind: 'function' | 'builtin' | 'file' | 'missing'; path?: string }> {
  if (sh.functions.has(name)) return { kind: 'function' };
  if (Object.hasOwn(shellBuiltins, name)) return { kind: 'builtin' };
  try {
    const r = await resolveExecutable(sh.fs, name, { path: sh.lookup('PATH'), cwd: sh.cwd });
    return { kind: 'file', path: r.path };
  } catch (e) {
    if (e instanceof ExecutableNotFoundError || e instanceof ExecutablePermissionError) return { kind: 'missing' };
    throw e;
  }
}

async function type(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  let status = 0;
  for (const name of argv.slice(1)) {
    const t = await typeOf(sh, name);
    if (t.kind === 'function') await out(io, `${name} is a function\n`, sh);
    else if (t.kind === 'builtin') await out(io, `${name} is a shell builtin\n`, sh);
    else if (t.kind === 'file') await out(io, `${name} is ${t.path}\n`, sh);
    else {
      await out(io, `${name}: not found\n`, sh);
      status = 1;
    }
  }
  return status;
}

async function command(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const args = argv.slice(1);
  if (args[0] === '-v' || args[0] === '-V') {
    let status = 0;
    for (const name of args.slice(1)) {
      const t = await typeOf(sh, name);
      if (t.kind === 'missing') status = 1;
      else if (args[0] === '-V') await type(sh, ['type', name], io);
      else await out(io, `${t.path ?? name}\n`, sh);
    }
    return status;
  }
  if (args.length === 0) return 0;
  return sh.invoke(args, [], io, true);
}

async function local(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const frame = sh.localFrames[sh.localFrames.length - 1];
  if (!frame) {
    await sh.error('local: not in a function', io);
    return 2;
  }
  for (const arg of argv.slice(1)) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!frame.has(name)) {
      const old = sh.vars.get(name);
      frame.set(name, old ? { ...old } : undefined);
    }
    const existing = sh.vars.get(name);
    sh.vars.set(name, { value: eq < 0 ? (existing?.value ?? '') : arg.slice(eq + 1), exported: existing?.exported ?? false });
  }
  return 0;
}

async function shift(sh: Shell, argv: string[]): Promise<number> {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  // busybox ash fails quietly with 1 when there are not that many parameters.
  if (!Number.isInteger(n) || n < 0 || n > sh.params.length) return 1;
  sh.params = sh.params.slice(n);
  return 0;
}

async function unset(sh: Shell, argv: string[]): Promise<number> {
  let functions = false;
  for (const arg of argv.slice(1)) {
    if (arg === '-f') functions = true;
    else if (arg === '-v') functions = false;
    else if (functions) sh.functions.delete(arg);
    else sh.vars.delete(arg);
  }
  return 0;
}

async function evalBuiltin(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const text = argv.slice(1).join(' ');
  try {
    return await sh.runList(parseScript(text), io);
  } catch (e) {
    if (e instanceof ShSyntaxError) {
      await sh.error(e.message, io);
      return 2;
    }
    throw e;
  }
}

function loopControl(kind: 'break' | 'continue'): Builtin {
  return async (sh, argv) => {
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (sh.loopDepth === 0) return 0;
    throw new LoopSignal(kind, Math.max(1, Math.min(n, sh.loopDepth)));
  };
}

/** Every builtin by name. */
export const shellBuiltins: Record<string, Builtin> = {
  ':': async () => 0,
  true: async () => 0,
  false: async () => 1,
  cd,
  export: exportOrReadonly,
  readonly: exportOrReadonly,
  unset,
  set,
  exit,
  shift,
  trap,
  read,
  wait,
  local,
  '.': source,
  source,
  exec: execBuiltin,
  eval: evalBuiltin,
  getopts,
  type,
  command,
  break: loopControl('break'),
  continue: loopControl('continue'),
  return: async (sh, argv) => {
    throw new ReturnSignal(argv[1] === undefined ? sh.status : Number(argv[1]) & 255);
  },
  pwd: async (sh, _argv, io) => {
    await out(io, `${sh.cwd}\n`, sh);
    return 0;
  },
  echo: (sh, argv, io) => echo(sh.contextFor(argv, io)),
  printf: (sh, argv, io) => printf(sh.contextFor(argv, io)),
  test: (sh, argv, io) => evaluateTest(argv.slice(1), sh.fs, sh.cwd, (m) => sh.error(`test: ${m}`, io)),
  '[': async (sh, argv, io) => {
    if (argv[argv.length - 1] !== ']') {
      await sh.error('[: missing ]', io);
      return 2;
    }
    return evaluateTest(argv.slice(1, -1), sh.fs, sh.cwd, (m) => sh.error(`[: ${m}`, io));
  },
  umask: async (sh, argv, io) => {
    if (argv.length === 1) await out(io, '0022\n', sh);
    return 0;
  },
  ulimit: async (sh, _argv, io) => {
    await out(io, 'unlimited\n', sh);
    return 0;
  },
};
