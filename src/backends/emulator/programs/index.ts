/**
 * The built-in program table: the shell and the busybox applets an emulated container can run.
 *
 * @module
 */
import type { ProgramTable } from '../program.js';
import { echo, printf } from './applets/echo-printf.js';
import { test } from './applets/test.js';
import { sh } from './sh/program.js';

/**
 * Every built-in program by the name it is invoked by. `busybox` dispatches on its first
 * argument to the others.
 *
 * @example
 * ```ts
 * const code = await launch(['ls', '-l', '/'], ctx, { builtins: builtinPrograms });
 * ```
 */
export const builtinPrograms: ProgramTable = {
  sh,
  ash: sh,
  bash: sh,
  echo,
  printf,
  test,
  '[': test,
  true: async () => 0,
  false: async () => 1,
};
