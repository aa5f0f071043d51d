/**
 * Input and output plumbing of `container.exec()` and `container.spawn()`.
 *
 * @module
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { ExecProcess } from './backend.js';
import { InvalidArgumentError } from './errors.js';

/** What `container.exec()` resolves to. */
export interface ExecResult<T extends string | Buffer = string | Buffer> {
  /** The process's exit code. */
  exitCode: number;
  /** Everything written to stdout. */
  stdout: T;
  /** Everything written to stderr. */
  stderr: T;
}

/** A process started by `container.spawn()`. */
export interface SpawnedProcess {
  /** Standard input (null unless `stdin: true`); `end()` closes the process's stdin. */
  stdin: Writable | null;
  /** Standard output. */
  stdout: Readable;
  /** Standard error. */
  stderr: Readable;
  /** Resolves to the exit code. */
  exit: Promise<number>;
  /** Signals the process (UnsupportedError where the backend cannot, e.g. the docker backend). */
  kill(signal?: string): Promise<void>;
}

/** The default cap on collected output per stream, as `child_process.exec` has one. */
export const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Collects a stream into one Buffer, failing with InvalidArgumentError once more than
 * `maxBuffer` bytes arrive (the caller then kills nothing: the process keeps its output
 * flowing into the void so it is never blocked by backpressure).
 */
export async function collect(stream: Readable, maxBuffer: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (overflow) continue;
    size += buf.length;
    if (size > maxBuffer) {
      overflow = true;
      continue;
    }
    chunks.push(buf);
  }
  if (overflow) {
    throw new InvalidArgumentError(`${name} maxBuffer length exceeded`, { details: { path: 'maxBuffer', maxBuffer } });
  }
  return Buffer.concat(chunks, size);
}

/** Feeds `data` into a process's stdin and ends it, honouring backpressure. */
export async function feedStdin(stdin: Writable, data: string | Uint8Array | Readable): Promise<void> {
  const source = data instanceof Readable ? data : Readable.from([typeof data === 'string' ? Buffer.from(data) : Buffer.from(data)]);
  await new Promise<void>((resolve, reject) => {
    source.once('error', reject);
    stdin.once('error', reject);
    source.once('end', resolve);
    source.pipe(stdin);
  });
}

/**
 * Builds the synchronous {@link SpawnedProcess} facade over a backend process that is still
 * being started: output streams exist at once and fill when the process is there; a failed
 * start rejects `exit` and errors both streams.
 */
export function spawnFacade(starting: Promise<ExecProcess>, wantStdin: boolean): SpawnedProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = wantStdin ? new PassThrough() : null;
  const exit = starting.then((proc) => {
    proc.stdout.pipe(stdout);
    proc.stderr.pipe(stderr);
    if (stdin && proc.stdin) stdin.pipe(proc.stdin);
    return proc.exit;
  });
  exit.catch((err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!stdout.readableEnded) stdout.destroy(error);
    if (!stderr.readableEnded) stderr.destroy(error);
  });
  return {
    stdin,
    stdout,
    stderr,
    exit,
    async kill(signal = 'SIGKILL') {
      const proc = await starting;
      await proc.kill(signal);
    },
  };
}
