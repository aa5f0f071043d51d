/**
 * Non-local control flow of the shell evaluator (`exit`, `return`, `break`, `continue`) and
 * its expansion failures, carried as thrown values.
 *
 * @module
 */

/** `exit N` (or a fatal error): unwinds to the shell's (or subshell's) top. */
export class ExitSignal {
  /** The exit status. */
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/**
 * The error of a special builtin (`shift x`, `export 1a`, a syntax error in `eval`): it ends a
 * non-interactive shell like `exit 2`, unless the builtin was run through `command`, which
 * turns it into a plain failure (as POSIX and ash have it).
 */
export class SpecialBuiltinExit extends ExitSignal {}

/** `return N` from a function or a sourced file. */
export class ReturnSignal {
  /** The return status. */
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/** `break N` / `continue N`. */
export class LoopSignal {
  /** `break` or `continue`. */
  readonly kind: 'break' | 'continue';
  /** How many enclosing loops are left to unwind. */
  readonly levels: number;
  constructor(kind: 'break' | 'continue', levels: number) {
    this.kind = kind;
    this.levels = levels;
  }
}

/** An expansion or redirection failed; the shell prints `sh: message` and stops the command. */
export class ShellFailure extends Error {
  /** Exit status of a non-interactive shell that hits it (2, as dash and busybox do). */
  readonly status: number;
  /** True when a non-interactive shell must exit (expansion errors), false to just fail the command. */
  readonly fatal: boolean;
  constructor(message: string, status = 2, fatal = true) {
    super(message);
    this.status = status;
    this.fatal = fatal;
  }
  override get name(): string {
    return 'ShellFailure';
  }
}
