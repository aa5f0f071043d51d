/**
 * The wire protocol between SDK processes and the supervisor, over its unix socket: one
 * request per connection, as a line of JSON; one response line back
 * (`{"ok":true,"result":...}` or `{"ok":false,"error":{...}}`). An `attach` connection then
 * carries the container's streams: frames of Docker's multiplexed format from the supervisor
 * (8-byte header: stream 1/2, three zero bytes, big-endian length; then the payload), raw
 * stdin bytes from the client.
 *
 * One connection per request keeps long calls (wait, attach) from queueing short ones, and a
 * unix connection costs microseconds.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { z } from 'zod';
import {
  AbortError, BackendUnavailableError, ConflictError, InvalidArgumentError, NotFoundError, StowageError,
  TimeoutError, UnsupportedError, type StowageErrorCode,
} from '../../../core/errors.js';

const Id = z.string().regex(/^[0-9a-f]{64}$/);

/** A request. */
export const RequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ping') }),
  z.object({ op: z.literal('start'), id: Id }),
  z.object({ op: z.literal('stop'), id: Id, timeout: z.number().int().min(-1).optional() }),
  z.object({ op: z.literal('kill'), id: Id, signal: z.string() }),
  z.object({ op: z.literal('restart'), id: Id, timeout: z.number().int().min(-1).optional() }),
  z.object({ op: z.literal('pause'), id: Id }),
  z.object({ op: z.literal('unpause'), id: Id }),
  z.object({ op: z.literal('remove'), id: Id, force: z.boolean(), volumes: z.boolean() }),
  z.object({ op: z.literal('wait'), id: Id }),
  z.object({ op: z.literal('attach'), id: Id, stdin: z.boolean() }),
  z.object({ op: z.literal('connect'), id: Id, network: z.string(), aliases: z.array(z.string()) }),
  z.object({ op: z.literal('disconnect'), id: Id, network: z.string() }),
  z.object({ op: z.literal('shutdown') }),
]);

/** A request. */
export type Request = z.infer<typeof RequestSchema>;

/** An error on the wire. */
export interface WireError {
  /** The Stowage error code, or `INTERNAL`. */
  code: StowageErrorCode | 'INTERNAL';
  /** Message. */
  message: string;
  /** Details. */
  details?: Record<string, unknown>;
}

/** A response. */
export type Response = { ok: true; result?: unknown } | { ok: false; error: WireError };

/** The wire form of an error. */
export function toWire(error: unknown): WireError {
  if (error instanceof StowageError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

const classes: Record<string, new (message: string, options?: { details?: Record<string, unknown> }) => StowageError> = {
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  INVALID_ARGUMENT: InvalidArgumentError,
  UNSUPPORTED: UnsupportedError,
  BACKEND_UNAVAILABLE: BackendUnavailableError,
  TIMEOUT: TimeoutError,
};

/** The error a wire error stands for (an internal one becomes BackendUnavailableError). */
export function fromWire(error: WireError): Error {
  if (error.code === 'ABORTED') return new AbortError(error.message);
  const Class = classes[error.code] ?? BackendUnavailableError;
  const message = error.code === 'INTERNAL' ? `supervisor: ${error.message}` : error.message;
  return new Class(message, error.details ? { details: error.details } : {});
}

/**
 * Reads one line from a socket; resolves it and any bytes that followed it (pushed back with
 * `unshift`, so the socket can be read on as a stream).
 */
export function readLine(socket: Socket, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(10);
      if (nl !== -1) {
        cleanup();
        socket.pause();
        const rest = buffered.subarray(nl + 1);
        if (rest.length > 0) socket.unshift(rest);
        resolve(buffered.subarray(0, nl).toString('utf8'));
      } else if (buffered.length > limit) {
        cleanup();
        reject(new Error('line too long'));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error('connection closed before a line was read'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

/** The 8-byte header of a multiplexed frame. */
export function frameHeader(stream: 1 | 2, length: number): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(length, 4);
  return header;
}
