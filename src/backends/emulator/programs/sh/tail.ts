/**
 * The command a forked subshell may run in its own process.
 *
 * ash does not fork again for the last command of a subshell (a pipeline stage, `( )`, `$( )`,
 * a background job): nothing follows it, so the subshell's process execs the program itself
 * (`sleep 10 &` is one process, and `$!` is the sleep's PID). Besides the PIDs it shows, this
 * decides how many processes a script needs under a process limit, so the emulator does the
 * same for the command found here.
 *
 * @module
 */
import type { AndOr, Command, List, SimpleCommand } from './ast.js';

/** The simple command that ends `list` and may exec in place, if there is one. */
export function tailOfList(list: List): SimpleCommand | undefined {
  const last = list.items[list.items.length - 1];
  return last && !last.background ? tailOfAndOr(last.command) : undefined;
}

/** The simple command that ends `andOr` (its last pipeline, when that is one command). */
export function tailOfAndOr(andOr: AndOr): SimpleCommand | undefined {
  const pipeline = andOr.rest.length > 0 ? andOr.rest[andOr.rest.length - 1]!.pipeline : andOr.first;
  // `! cmd` must still invert the status afterwards; a pipeline forks its own stages.
  if (pipeline.bang || pipeline.commands.length !== 1) return undefined;
  return tailOfCommand(pipeline.commands[0]!);
}

/** `command` itself when simple, the tail of a `{ ...; }` group, else none. */
export function tailOfCommand(command: Command): SimpleCommand | undefined {
  if (command.type === 'simple') return command;
  if (command.type === 'group') return tailOfList(command.body);
  return undefined;
}
