/**
 * Attach and exec I/O over a hijacked connection (HTTP `Upgrade: tcp`).
 *
 * `POST /containers/{id}/attach` and `POST /exec/{id}/start` turn the HTTP connection into a
 * raw two-way stream: what we write is the process's stdin, what we read is its output
 * (frames unless the process has a TTY). Ending stdin half-closes the socket, so the process
 * sees EOF while its output keeps flowing until it exits.
 *
 * @module
 */
import { Writable } from 'node:stream';
import type { Duplex, Readable } from 'node:stream';
import { abortErrorFrom } from '../../../core/errors.js';
import type { DockerClient } from './client.js';
import { demuxDockerStream } from './demux.js';
import type { DockerQuery } from './request-body.js';

/** Options of {@link hijack}. */
export interface HijackOptions {
  /** Query parameters (`stream`, `stdin`, `stdout`, `stderr`, `logs`...). */
  query?: DockerQuery;
  /** JSON body; exec start takes `{ Detach: false, Tty }`. */
  body?: unknown;
  /** The process has a TTY: output is raw bytes, all on `stdout`. */
  tty?: boolean;
  /** Cancels the upgrade; once upgraded, destroys the connection (outputs fail with AbortError). */
  signal?: AbortSignal;
  /** HTTP method (default `POST`). */
  method?: string;
}

/** The process's three standard streams over one hijacked connection. */
export interface HijackedStreams {
  /** The raw connection (for `destroy()` and diagnostics). */
  socket: Duplex;
  /** The process's stdin; `end()` half-closes the connection (EOF for the process). */
  stdin: Writable;
  /** The process's stdout (everything, with a TTY). */
  stdout: Readable;
  /** The process's stderr (empty with a TTY). */
  stderr: Readable;
}

/**
 * Opens a hijacked connection and splits it into stdin, stdout and stderr.
 *
 * @example
 * ```ts
 * const { Id } = await client.json<{ Id: string }>('POST', `/containers/${id}/exec`,
 *   { body: { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true } });
 * const io = await hijack(client, `/exec/${Id}/start`, { body: { Detach: false, Tty: false } });
 * io.stdout.pipe(process.stdout);
 * io.stdin.end('hello\n');
 * ```
 */
export async function hijack(client: DockerClient, path: string, options: HijackOptions = {}): Promise<HijackedStreams> {
  const { socket } = await client.upgrade(options.method ?? 'POST', path, {
    ...(options.query ? { query: options.query } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { signal } = options;
  if (signal) {
    // The caller's signal keeps governing the session after the upgrade, not just the request.
    const onAbort = (): void => {
      socket.destroy(abortErrorFrom(signal));
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  // Demux reads the socket through 'readable', which also resumes a socket undici left paused.
  const { stdout, stderr } = demuxDockerStream(socket as unknown as Readable, { tty: options.tty ?? false });
  return { socket, stdin: stdinOf(socket), stdout, stderr };
}

/**
 * A writable over the socket's sending side only: its backpressure is the socket's, and its
 * end() is a half-close, never a destroy, so output already on its way still arrives.
 */
function stdinOf(socket: Duplex): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (socket.writableEnded || socket.destroyed) {
        callback(new Error('The connection to the process is closed'));
        return;
      }
      // The callback fires once the socket accepted the chunk, which carries its backpressure.
      socket.write(chunk, (error) => callback(error ?? null));
    },
    final(callback) {
      if (!socket.writableEnded && !socket.destroyed) socket.end();
      callback();
    },
    destroy(error, callback) {
      // Destroying stdin alone only closes our sending side; output may still be wanted.
      if (!socket.writableEnded && !socket.destroyed) socket.end();
      callback(error);
    },
  });
}
