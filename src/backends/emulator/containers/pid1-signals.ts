/**
 * Which signals a built-in program handles when it runs as PID 1.
 *
 * The kernel drops a signal sent to PID 1 of a PID namespace unless the process installed a
 * handler for it, which is why `docker stop` of `sleep 1000` waits for the timeout. The
 * emulator cannot look at a running built-in's handlers, so it decides when the container
 * starts: a built-in shell handles the signals its script traps (`sh -c 'trap "exit 0" TERM;
 * ...'`, or a script file run by the shell), every other built-in handles none. User programs
 * are assumed to handle what they are sent: they observe `ctx.signal`.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import { signalNumber } from '../programs/io.js';

const shells = new Set(['sh', 'ash', 'bash', 'dash']);
const known = new Set(['HUP', 'INT', 'QUIT', 'ABRT', 'USR1', 'USR2', 'PIPE', 'ALRM', 'TERM']);
// Longest script read from a file to look for traps: traps sit near the top of real scripts.
const MAX_SCRIPT = 256 * 1024;

/** The numbers of the signals the PID 1 built-in started by `argv` handles. */
export async function trappedSignals(argv: readonly string[], fs: FileSystemApi, cwd: string): Promise<Set<number>> {
  const name = posix.basename(argv[0] ?? '');
  if (!shells.has(name)) return new Set();
  const c = argv.indexOf('-c');
  if (c >= 1 && argv[c + 1] !== undefined) return trapsIn(argv[c + 1]!);
  const file = argv.slice(1).find((a) => !a.startsWith('-'));
  if (file === undefined) return new Set();
  try {
    const target = posix.resolve(cwd, file);
    const head = fs.readFileHead ? await fs.readFileHead(target, MAX_SCRIPT) : await fs.readFile(target);
    const text = head.subarray(0, MAX_SCRIPT).toString('utf8');
    return trapsIn(text);
  } catch {
    return new Set();
  }
}

/** The signals `trap ACTION SIG...` commands in a script set a (non-empty) action for. */
export function trapsIn(script: string): Set<number> {
  const out = new Set<number>();
  // `trap` in command position only (start of a line or after ; & | ( { ), not as an argument.
  const re = /(?:^|[;&|({\n])[ \t]*trap\s+(?:--\s+)?("(?:[^"\\]|\\.)*"|'[^']*'|[^\s;&|]+)((?:[ \t]+[A-Za-z0-9]+)+)/g;
  for (const m of script.matchAll(re)) {
    const action = m[1]!;
    if (action === '-' || action === '""' || action === "''") continue;
    for (const sig of m[2]!.trim().split(/\s+/)) {
      const upper = sig.toUpperCase().replace(/^SIG/, '');
      if (/^\d+$/.test(upper) ? Number(upper) >= 1 && Number(upper) <= 31 : known.has(upper)) out.add(signalNumber(upper));
    }
  }
  return out;
}
