/**
 * Shell parameters: variables and `set` flags, and reading them, the special ones (`$?`, `$#`,
 * `$!`, `$-`...) and the positional ones included.
 *
 * @module
 */
import type { Shell } from './shell.js';

/** A shell variable. */
export interface ShellVar {
  /** Its value. */
  value: string;
  /** True when exported to the environment of commands. */
  exported: boolean;
  /** True after `readonly`: assigning or unsetting it is an error. */
  readonly?: boolean;
}

/** The `set` options the shell supports. */
export interface ShellFlags {
  /** `-e`: exit when a command fails outside a condition. */
  errexit: boolean;
  /** `-x`: trace commands on stderr. */
  xtrace: boolean;
  /** `-u`: expanding an unset variable is an error. */
  nounset: boolean;
  /** `-o pipefail`: a pipeline fails with its last failing command's status. */
  pipefail: boolean;
}

/** The value of parameter `name` in `sh`; undefined when unset. */
export function lookupParameter(sh: Shell, name: string): string | undefined {
  switch (name) {
    case '?':
      return String(sh.status);
    case '$':
      return String(sh.rootPid);
    case '#':
      return String(sh.params.length);
    case '0':
      return sh.scriptName;
    case '!':
      return sh.lastJob === undefined ? undefined : String(sh.lastJob);
    case '-':
      return `${sh.flags.errexit ? 'e' : ''}${sh.flags.nounset ? 'u' : ''}${sh.flags.xtrace ? 'x' : ''}`;
    case '@':
    case '*':
      return sh.params.join(' ');
  }
  if (/^\d+$/.test(name)) return sh.params[Number(name) - 1];
  return sh.vars.get(name)?.value;
}
