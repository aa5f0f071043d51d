/**
 * The built-in program table: the shell and the busybox applets an emulated container can run.
 *
 * @module
 */
import type { ProgramTable } from '../program.js';
import { gzip, tar } from './applets/archive.js';
import { awk } from './applets/awk/index.js';
import { echo, printf } from './applets/echo-printf.js';
import { expr } from './applets/expr.js';
import { cat, chmod, chown, cp, ln, mkdir, mv, rm, rmdir, touch } from './applets/files.js';
import { df, du, mount, stat } from './applets/fsinfo.js';
import { grep } from './applets/grep.js';
import { httpd, nginx } from './applets/httpd.js';
import { ls } from './applets/ls.js';
import { basename, date, dirname, env, hostname, id, kill, ps, pwd, seq, sleep, uname, whoami, yes } from './applets/misc.js';
import { nc } from './applets/nc.js';
import { ping, wget } from './applets/net.js';
import { nslookup, uptime } from './applets/nslookup.js';
import { chgrp, mktemp, printenv, readlink, realpath } from './applets/paths.js';
import { find, which, xargs } from './applets/search.js';
import { sed } from './applets/sed.js';
import { test } from './applets/test.js';
import { cut, head, sort, tail, tee, tr, uniq, wc } from './applets/text.js';
import { createBusybox } from './busybox.js';
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
  sh, ash: sh, bash: sh,
  echo, printf, test, '[': test, '[[': test,
  true: async () => 0,
  false: async () => 1,
  cat, ls, mkdir, rm, rmdir, cp, mv, ln, touch, chmod, chown, pwd, env, hostname, sleep,
  head, tail, wc, grep, egrep: grep, fgrep: grep, tee, id, whoami, uname, date, seq, basename, dirname,
  sort, uniq, cut, tr, sed, find, which, xargs, yes, stat, du, df, kill, ps, mount,
  ping, wget, nc, httpd, nginx, tar, gzip, gunzip: gzip, zcat: gzip,
  expr, awk,
  printenv, readlink, realpath, mktemp, chgrp, nslookup, uptime,
};

builtinPrograms['busybox'] = createBusybox(() => builtinPrograms);
