/**
 * Telling "the command could not be run" (exit 127/126) from every other failure.
 *
 * `instanceof ExecutableNotFoundError` is not enough: Stowage errors match `instanceof` by
 * their code across installed copies, so any NotFoundError passes that test. The launcher's
 * errors are recognised by the fields only they carry.
 *
 * @module
 */
import { ExecutableNotFoundError, ExecutablePermissionError } from '../exec/resolve.js';

/** An executable lookup failure from the launcher, with the shell's exit status. */
export type ExecFailure = ExecutableNotFoundError | ExecutablePermissionError;

/** True for the launcher's not-found / permission-denied errors. */
export function isExecFailure(e: unknown): e is ExecFailure {
  return (
    (e instanceof ExecutableNotFoundError || e instanceof ExecutablePermissionError) &&
    typeof (e as { argv0?: unknown }).argv0 === 'string' &&
    ((e as { exitCode?: unknown }).exitCode === 127 || (e as { exitCode?: unknown }).exitCode === 126)
  );
}
