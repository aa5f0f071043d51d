/**
 * What a failed command becomes: the status a shell gives it, or the shell's end.
 *
 * @module
 */
import { BrokenPipeError, ForkError, SignalledError, signalNumber } from '../io.js';
import { ExitSignal, ShellFailure } from './control.js';
import type { FdTable } from './io-table.js';
import { ShSyntaxError } from './lexer.js';
import type { Shell } from './shell.js';

/**
 * Turns an error thrown by a command into its status: an expansion failure prints `sh: ...`
 * (and ends a non-interactive shell when fatal), EPIPE is 141, a signal is 128 + its number,
 * a syntax error in `eval`'d or sourced text ends the shell with 2, a failed fork too (after
 * `can't fork`). SIGKILL and anything else is rethrown.
 */
export async function recoverCommand(sh: Shell, e: unknown, io: FdTable): Promise<number> {
  if (e instanceof ShellFailure) {
    await sh.error(e.message, io);
    if (e.fatal) throw new ExitSignal(e.status);
    return e.status;
  }
  if (e instanceof BrokenPipeError) return 141;
  if (e instanceof SignalledError) {
    // SIGKILL cannot be handled: the shell ends here, whatever it was running (no trap runs).
    if (e.signalName === 'SIGKILL') throw e;
    await sh.checkSignal();
    return 128 + signalNumber(e.signalName);
  }
  if (e instanceof ShSyntaxError) {
    await sh.error(e.message, io);
    throw new ExitSignal(2);
  }
  if (e instanceof ForkError) return sh.forkFailed(e, io);
  throw e;
}
