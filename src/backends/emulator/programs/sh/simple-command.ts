/**
 * Simple commands: expanding the words and assignments, tracing under `set -x`, applying the
 * redirections, and handing the result to {@link Shell.invoke}.
 *
 * @module
 */
import { write } from '../io.js';
import type { SimpleCommand } from './ast.js';
import { expandWord, expandWords } from './expand.js';
import { writableOf, type FdTable } from './io-table.js';
import { specialBuiltins } from './builtins.js';
import { ShellFailure } from './control.js';
import { openRedirects } from './redirect.js';
import type { Shell } from './shell.js';

/**
 * Runs one simple command. Assignments alone set shell variables (status: the last command
 * substitution's); `exec` with only redirections makes them the shell's own descriptors.
 */
export async function runSimpleCommand(sh: Shell, command: SimpleCommand, io: FdTable): Promise<number> {
  sh.lastSubstitution = 0;
  sh.line = command.line;
  const argv = await expandWords(command.words, sh);
  const assigns: [string, string][] = [];
  for (const a of command.assigns) assigns.push([a.name, await expandWord(a.value, sh)]);
  const subStatus = sh.lastSubstitution;
  for (const [k] of assigns) if (sh.vars.get(k)?.readonly) sh.fail(`${k}: is read only`);
  if (sh.flags.xtrace) {
    const shown = [...assigns.map(([k, v]) => `${k}=${v}`), ...argv].join(' ');
    if (shown !== '') await write(writableOf(io, 2), `+ ${shown}\n`).catch(() => undefined);
  }
  if (argv.length === 0) {
    for (const [k, v] of assigns) sh.assign(k, v);
    const opened = await openRedirects(sh, command.redirects, io);
    await opened.close();
    return subStatus;
  }
  if (argv.length === 1 && argv[0] === 'exec' && !sh.functions.has('exec')) {
    // `exec >log 2>&1`: the redirections become the shell's own, for every later command.
    const opened = await openSpecial(sh, command, io);
    for (const key of [...io.keys()]) if (!opened.io.has(key)) io.delete(key);
    for (const [key, stream] of opened.io) io.set(key, stream);
    return 0;
  }
  const opened = specialBuiltins.has(argv[0]!) ? await openSpecial(sh, command, io) : await openRedirects(sh, command.redirects, io);
  // The last command of a subshell with no trap to run afterwards execs in place (tail.ts).
  const inPlace = command === sh.tail && sh.traps.size === 0;
  try {
    return await sh.invoke(argv, assigns, opened.io, false, inPlace);
  } finally {
    await opened.close();
  }
}

/** Opens a special builtin's redirections: when one fails, the shell ends (status 1), as in ash. */
async function openSpecial(sh: Shell, command: SimpleCommand, io: FdTable): ReturnType<typeof openRedirects> {
  try {
    return await openRedirects(sh, command.redirects, io);
  } catch (e) {
    if (e instanceof ShellFailure && !e.fatal) throw new ShellFailure(e.message, e.status, true);
    throw e;
  }
}
