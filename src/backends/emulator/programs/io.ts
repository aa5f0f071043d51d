/**
 * Stream and path helpers every built-in program uses.
 *
 * Programs never end the `stdout`/`stderr` they were given: those streams may be shared with
 * the shell that started them (the caller ends what it created). Writes honour backpressure
 * and fail with {@link BrokenPipeError} once the reader has gone, as `write(2)` gives EPIPE.
 *
 * @module
 */
import { once } from 'node:events';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ProgramContext } from '../program.js';
import { signalNumberOf } from '../../../core/signals.js';

/** The reader of a pipe went away (EPIPE); programs end with status 141 as on SIGPIPE. */
export class BrokenPipeError extends Error {
  /** The POSIX code, for callers that test `code` the Node way. */
  readonly code = 'EPIPE';
  constructor() {
    super('Broken pipe');
  }
  override get name(): string {
    return 'BrokenPipeError';
  }
}

/**
 * A new process could not be made because the container runs as many as its process limit
 * allows (`fork(2)` failing with EAGAIN under the pids cgroup's `pids.max`).
 */
export class ForkError extends Error {
  /** The POSIX code, for callers that test `code` the Node way. */
  readonly code = 'EAGAIN';
  constructor() {
    super('Resource temporarily unavailable');
  }
  override get name(): string {
    return 'ForkError';
  }
}

/** Rejects with the signal's reason (wrapped) as soon as `signal` fires. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new SignalledError(String(signal.reason)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SignalledError(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A program was interrupted by a signal; `signalName` is the abort reason (`SIGTERM`...). */
export class SignalledError extends Error {
  /** The signal's name, as given as the abort reason. */
  readonly signalName: string;
  constructor(signalName: string) {
    super(`terminated by ${signalName}`);
    this.signalName = signalName;
  }
  override get name(): string {
    return 'SignalledError';
  }
}

/** The number of a signal name (`SIGTERM`, `TERM`, `RTMIN+3`) or number; 15 when unknown. */
export function signalNumber(name: string): number {
  return signalNumberOf(name) ?? 15;
}

/** The exit status a shell reports for a program ended by `signal` (128 + n). */
export function signalStatus(signal: AbortSignal): number {
  return 128 + signalNumber(String(signal.reason ?? 'SIGTERM'));
}

/**
 * Writes `data` and waits for `drain` when the stream asks for it.
 *
 * @throws BrokenPipeError when the stream was destroyed (its reader is gone)
 * @throws SignalledError when `signal` fires while waiting
 */
export async function write(stream: Writable, data: string | Uint8Array, signal?: AbortSignal): Promise<void> {
  if (stream.destroyed || stream.writableEnded) throw new BrokenPipeError();
  if (stream.write(data)) return;
  if (stream.destroyed) throw new BrokenPipeError();
  // Either drain or close settles the wait: a closed pipe is EPIPE, not a hang.
  const waited = new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
    };
    const onDrain = (): void => {
      done();
      resolve();
    };
    const onClose = (): void => {
      done();
      reject(new BrokenPipeError());
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onClose);
  });
  await (signal ? raceSignal(waited, signal) : waited);
}

/** Reads a stream to its end (bounded by `limit` bytes when given). */
export async function readAll(stream: Readable, signal?: AbortSignal, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of iterate(stream, signal)) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) throw new Error('input too large');
  }
  return Buffer.concat(chunks);
}

/**
 * Iterates a readable's chunks as Buffers, stopping with {@link SignalledError} on abort and
 * passing `checkpoint` (a program's `ctx.checkpoint`) before each chunk.
 */
export async function* iterate(stream: Readable, signal?: AbortSignal, checkpoint?: () => Promise<void> | undefined): AsyncGenerator<Buffer> {
  for (;;) {
    if (signal?.aborted) throw new SignalledError(String(signal.reason));
    const wait = checkpoint?.();
    if (wait) await wait;
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) return;
    const ended = await waitReadable(stream, signal);
    if (ended) {
      // Data may still sit in the buffer after 'end' was announced.
      const rest = stream.read() as Buffer | string | null;
      if (rest !== null) yield typeof rest === 'string' ? Buffer.from(rest) : rest;
      return;
    }
  }
}

async function waitReadable(stream: Readable, signal?: AbortSignal): Promise<boolean> {
  const p = new Promise<boolean>((resolve) => {
    const done = (ended: boolean) => (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
      resolve(ended);
    };
    const onReadable = done(false);
    const onEnd = done(true);
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onEnd);
  });
  return signal ? raceSignal(p, signal) : p;
}

/**
 * Reads one line (without its `\n`) from a readable, leaving the rest in the stream for the
 * next reader, as `read` in a shell must. Resolves to `null` at end of input.
 */
export async function readLine(stream: Readable, signal?: AbortSignal): Promise<string | null> {
  const parts: Buffer[] = [];
  for (;;) {
    if (signal?.aborted) throw new SignalledError(String(signal.reason));
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const nl = buf.indexOf(10);
      if (nl >= 0) {
        parts.push(buf.subarray(0, nl));
        if (nl + 1 < buf.length) stream.unshift(buf.subarray(nl + 1));
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(buf);
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    if (await waitReadable(stream, signal)) {
      const rest = stream.read() as Buffer | string | null;
      if (rest !== null) {
        stream.unshift(typeof rest === 'string' ? Buffer.from(rest) : rest);
        continue;
      }
      break;
    }
  }
  return parts.length === 0 ? null : Buffer.concat(parts).toString('utf8');
}

/** Splits text into lines, dropping the empty piece after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Resolves `path` against the program's working directory. */
export function resolvePath(cwd: string, path: string): string {
  return posix.resolve(cwd || '/', path);
}

const errnoText: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Symbolic link loop',
  EXDEV: 'Invalid cross-device link',
  EINVAL: 'Invalid argument',
  EROFS: 'Read-only file system',
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EBUSY: 'Resource busy',
};

/** The `strerror` text of a filesystem error (`No such file or directory`), as busybox prints. */
export function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && errnoText[code]) return errnoText[code];
  return error instanceof Error ? error.message : String(error);
}

/** Writes `prog: message\n` to stderr, ignoring a broken stderr. */
export async function complain(ctx: ProgramContext, message: string): Promise<void> {
  const name = posix.basename(ctx.argv[0] ?? 'sh');
  try {
    await write(ctx.stderr, `${name}: ${message}\n`);
  } catch {
    // Nowhere left to report to.
  }
}

/** Result of {@link getopt}. */
export interface ParsedArgs {
  /** Flags seen (`-l` -> `l`), the last value for flags that take one. */
  flags: Map<string, string | true>;
  /** Every value of flags given more than once (`-e a -e b`). */
  lists: Map<string, string[]>;
  /** What is left after the options. */
  operands: string[];
}

/**
 * Parses busybox-style short options: bundled (`-la`), values attached or separate (`-n5`,
 * `-n 5`), `--` ends options. Options stop at the first operand unless `permute` is set.
 *
 * @param withValue letters that take a value
 * @throws Error with busybox's `invalid option -- 'x'` text for letters not in `known`
 */
export function getopt(args: string[], known: string, withValue = '', permute = true): ParsedArgs {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || !arg.startsWith('-')) {
      if (!permute) {
        operands.push(...args.slice(i));
        break;
      }
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (withValue.includes(letter)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
        if (value === undefined) throw new Error(`option requires an argument -- '${letter}'`);
        flags.set(letter, value);
        lists.set(letter, [...(lists.get(letter) ?? []), value]);
        break;
      }
      if (!known.includes(letter)) throw new Error(`invalid option -- '${letter}'`);
      flags.set(letter, true);
    }
  }
  return { flags, lists, operands };
}

/**
 * Reads a file of the container, treating a missing `/dev/null` as empty: an image without
 * device nodes still lets `cat /dev/null` work, as every real container has the node.
 */
export async function readFileOf(ctx: ProgramContext, name: string): Promise<Buffer> {
  const path = resolvePath(ctx.cwd, name);
  try {
    return await ctx.fs.readFile(path);
  } catch (e) {
    if (path === '/dev/null') return Buffer.alloc(0);
    throw e;
  }
}
