/**
 * How the shell words its messages on stderr, as busybox ash does.
 *
 * @module
 */
import { write } from '../io.js';
import { writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/**
 * The start of a message: `$0: `; then, inside a builtin (or what it runs: `eval`, `.`), its
 * name and the line (`sh: cd: line 0: `); outside one, the line only when the shell has a
 * script name (`s.sh: line 3: `), so `sh -c` prints plain `sh: nosuch: not found`.
 */
export function messagePrefix(sh: Shell): string {
  const command = sh.commandName ?? (sh.named ? sh.scriptName : undefined);
  if (command === undefined) return `${sh.scriptName}: `;
  return `${sh.scriptName}: ${command === sh.scriptName ? '' : `${command}: `}line ${sh.line}: `;
}

/** Writes `text` to fd 2 of `io`; a stderr that is gone leaves nothing more to do. */
export async function writeQuietly(io: FdTable, text: string): Promise<void> {
  try {
    await write(writableOf(io, 2), text);
  } catch {
    // Nowhere left to report to.
  }
}
