/**
 * The shell's builtins: the commands that must run inside the shell because they change its
 * state (cd, export, set, trap...), plus a few that are faster in-process (echo, test, printf).
 * They are grouped by what they touch: variables in `builtins-vars.ts`, control flow in
 * `builtins-control.ts`; this file holds the table, `cd` and the name lookups.
 *
 * @module
 */
import { posix } from 'node:path';
import { ExecutableNotFoundError, ExecutablePermissionError, resolveExecutable } from '../../exec/resolve.js';
import { echo, printf } from '../applets/echo-printf.js';
import { evaluateTest, isTerminalStream } from '../applets/test.js';
import { out, type Builtin } from './builtin-support.js';
import { SpecialBuiltinExit } from './control.js';
import { evalBuiltin, execBuiltin, exit, loopControl, returnBuiltin, source, trap, wait } from './builtins-control.js';
import { exportOrReadonly, local, read, set, shift, unset } from './builtins-vars.js';
import { getopts } from './getopts.js';
import type { FdTable } from './io-table.js';
import type { Shell } from './shell.js';

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
    await sh.error(`can't cd to ${target}: ${code === 'ENOTDIR' ? 'Not a directory' : 'No such file or directory'}`, io);
    return 2;
  }
  sh.vars.set('OLDPWD', { value: sh.cwd, exported: true });
  sh.cwd = path;
  sh.vars.set('PWD', { value: path, exported: sh.vars.get('PWD')?.exported ?? true });
  if (print) await out(io, `${path}\n`, sh);
  return 0;
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
      status = 127;
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
      if (t.kind === 'missing') status = 127;
      else if (args[0] === '-V') await type(sh, ['type', name], io);
      else await out(io, `${t.path ?? name}\n`, sh);
    }
    return status;
  }
  if (args.length === 0) return 0;
  // The command runs as itself: its messages do not name `command` (exec's do, as in ash).
  sh.commandName = undefined;
  try {
    return await sh.invoke(args, [], io, true);
  } catch (e) {
    // `command` takes away a special builtin's power to end the shell on error.
    if (e instanceof SpecialBuiltinExit) return e.code;
    throw e;
  }
}

/**
 * How `test` and `[` complain inside ash: as the busybox applet does, named `sh` and nothing
 * more (`sh: x: bad number`), whichever name invoked them.
 */
function testReporter(sh: Shell, io: FdTable): (message: string) => Promise<void> {
  // The shared evaluator says "invalid number" where busybox says "bad number".
  return (m) => sh.appletError(m.replace(/: invalid number$/, ': bad number'), io);
}

/** Runs an output builtin; with fd 1 closed (`>&-`) it fails as busybox's write does. */
async function withStdout(sh: Shell, io: FdTable, body: () => Promise<number>): Promise<number> {
  if (io.has(1)) return body();
  await sh.appletError('write error: Bad file descriptor', io);
  return 1;
}

/** The name busybox's applets use for messages when ash runs them: the shell's own. */
const appletName = (sh: Shell): string => posix.basename(sh.ctx.argv[0] ?? 'sh');

/**
 * The special builtins: an error in one (a bad argument, a redirection that fails) ends a
 * non-interactive shell; in any other builtin it only fails the command.
 */
export const specialBuiltins: ReadonlySet<string> = new Set([
  ':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'local', 'readonly', 'return', 'set', 'shift', 'source', 'trap', 'unset',
]);

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
  return: returnBuiltin,
  pwd: async (sh, _argv, io) => {
    await out(io, `${sh.cwd}\n`, sh);
    return 0;
  },
  // Run inside ash, busybox's applets speak as the shell (`sh: invalid number 'x'`).
  echo: (sh, argv, io) => withStdout(sh, io, () => echo(sh.contextFor([appletName(sh), ...argv.slice(1)], io))),
  printf: (sh, argv, io) => withStdout(sh, io, () => printf(sh.contextFor([appletName(sh), ...argv.slice(1)], io))),
  test: (sh, argv, io) => evaluateTest(argv.slice(1), sh.fs, sh.cwd, testReporter(sh, io), (fd) => isTerminalStream(io.get(fd))),
  '[': async (sh, argv, io) => {
    if (argv[argv.length - 1] !== ']') {
      await sh.appletError('missing ]', io);
      return 2;
    }
    return evaluateTest(argv.slice(1, -1), sh.fs, sh.cwd, testReporter(sh, io), (fd) => isTerminalStream(io.get(fd)));
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
