/**
 * The `busybox` multi-call program: `busybox ls -l` runs the applet named by the first
 * argument; `busybox --list` prints every applet; `busybox` alone prints its banner.
 *
 * @module
 */
import { posix } from 'node:path';
import type { Program, ProgramTable } from '../program.js';
import { complain, write } from './io.js';

/** Creates `busybox` over a table of applets (read when called, so it sees the final table). */
export function createBusybox(table: () => ProgramTable): Program {
  return async (ctx) => {
    const applets = table();
    const invokedAs = posix.basename(ctx.argv[0] ?? 'busybox');
    if (invokedAs !== 'busybox') {
      // Run through a link named after an applet this busybox lacks: as busybox says it.
      await complain({ ...ctx, argv: [invokedAs] }, 'applet not found');
      return 127;
    }
    const [, first, ...rest] = ctx.argv;
    if (first === undefined || first === '--help') {
      const banner = 'BusyBox v1.36.1 (Stowage emulator) multi-call binary.\n\nUsage: busybox [function [arguments]...]\n   or: busybox --list\n';
      await write(ctx.stdout, banner, ctx.signal);
      return 0;
    }
    if (first === '--list' || first === '--list-full') {
      const names = Object.keys(applets).filter((n) => n !== 'busybox').sort();
      await write(ctx.stdout, names.map((n) => `${first === '--list-full' ? 'bin/' : ''}${n}\n`).join(''), ctx.signal);
      return 0;
    }
    const applet = Object.hasOwn(applets, first) && first !== 'busybox' ? applets[first] : undefined;
    if (!applet) {
      await complain({ ...ctx, argv: [first] }, 'applet not found');
      return 127;
    }
    return applet({ ...ctx, argv: [first, ...rest] });
  };
}
