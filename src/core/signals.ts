/**
 * POSIX signal names and numbers as the Docker Engine accepts them on Linux (`docker kill -s`,
 * `--stop-signal`, STOPSIGNAL), with its error texts, so a bad signal fails the same way on
 * every backend instead of quietly becoming SIGTERM.
 *
 * @module
 */
import { InvalidArgumentError } from './errors.js';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** Docker's Linux signal table (moby's `signal.SignalMap`): names without `SIG`, upper case. */
export const LINUX_SIGNALS: Readonly<Record<string, number>> = Object.freeze({
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2,
  IO: 29, IOT: 6, KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11,
  STKFLT: 16, STOP: 19, SYS: 31, TERM: 15, TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
  RTMIN: SIGRTMIN,
  ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`RTMIN+${i + 1}`, SIGRTMIN + i + 1])),
  ...Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`RTMAX-${14 - i}`, SIGRTMAX - 14 + i])),
  RTMAX: SIGRTMAX,
});

/**
 * The number of a signal given as Docker takes it (`SIGKILL`, `kill`, `9`), or undefined when
 * Docker would refuse it.
 */
export function signalNumberOf(signal: string): number | undefined {
  if (/^[+-]?\d+$/.test(signal)) {
    const n = Number(signal);
    return n >= 1 && n <= SIGRTMAX ? n : undefined;
  }
  const upper = signal.toUpperCase();
  return LINUX_SIGNALS[upper.startsWith('SIG') ? upper.slice(3) : upper];
}

/** The `SIG` name of a signal number (the first in Docker's table), if it has one. */
export function signalNameOf(n: number): string | undefined {
  const name = Object.keys(LINUX_SIGNALS).find((k) => LINUX_SIGNALS[k] === n);
  return name === undefined ? undefined : `SIG${name}`;
}

/**
 * Checks a signal the way the engine does and returns it in a form every backend reads the
 * same: `SIG` + the upper-case name (`sigusr1` -> `SIGUSR1`), or the decimal number (`+9` ->
 * `9`). `''` stands for the default, which the caller fills in.
 *
 * @throws InvalidArgumentError with Docker's texts: `Invalid signal: SIGBOGUS`, or `The linux
 *   daemon does not support signal 65` for a number past SIGRTMAX (`details.path` = `path`)
 */
export function parseSignal(value: unknown, path: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidArgumentError(`invalid ${path}: expected a signal name or number`, { details: { path } });
  }
  const text = String(value);
  if (text === '') return '';
  if (/^[+-]?\d+$/.test(text)) {
    const n = BigInt(text);
    // strconv.Atoi's range: past int64 the engine no longer reads it as a number at all.
    if (n < -(2n ** 63n) || n >= 2n ** 63n || n === 0n) throw invalidSignal(text, path);
    if (n < 1n || n > BigInt(SIGRTMAX)) {
      throw new InvalidArgumentError(`The linux daemon does not support signal ${BigInt.asUintN(64, n)}`, { details: { path, value: text } });
    }
    return String(n);
  }
  const upper = text.toUpperCase();
  const bare = upper.startsWith('SIG') ? upper.slice(3) : upper;
  if (LINUX_SIGNALS[bare] === undefined) throw invalidSignal(text, path);
  return `SIG${bare}`;
}

function invalidSignal(text: string, path: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid signal: ${text}`, { details: { path, value: text } });
}
