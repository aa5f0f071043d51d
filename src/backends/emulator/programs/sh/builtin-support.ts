/**
 * What the shell's builtins share: their signature and how they print.
 *
 * @module
 */
import { write } from '../io.js';
import { writableOf, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';

/** A builtin: runs with the shell, its argument vector and the command's descriptors. */
export type Builtin = (sh: Shell, argv: string[], io: FdTable) => Promise<number>;

/** Writes `text` to the command's stdout; waits while the container is paused, fails on kill. */
export const out = (io: FdTable, text: string, sh: Shell): Promise<void> => write(writableOf(io, 1), text, sh.ctx.signal);

/** Quotes `value` as `set` and `export -p` print it, so the output can be read back by `sh`. */
export function quote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]*$/.test(value) && value !== '' ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}
