/**
 * Reading the engine's JSON progress streams (pull, push, build, load, import).
 *
 * These endpoints answer 200 at once and report failure inside the stream as `errorDetail`
 * / `error`. The operation is over only when the stream ends, so the promise settles then:
 * dockerode's `pull()` resolves when the response starts and its failed builds report no
 * error; ours rejects with a typed error and resolves only when the engine is done.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { StowageError } from '../../../core/errors.js';
import { abortErrorFrom, throwIfAborted } from '../../../core/errors.js';
import { classifyEngineMessage, errorForCode, transportError } from './engine-errors.js';
import { JsonObjectSplitter } from './json-splitter.js';

/** One progress report, in the shape `onProgress` receives across backends. */
export interface ProgressEvent {
  /** Layer ID (pull/push) when the message is about one layer. */
  id?: string;
  /** Status text (`Downloading`, `Step 2/5 : RUN make`...). */
  status: string;
  /** Bytes done, when the engine reports it. */
  current?: number;
  /** Bytes in all, when the engine reports it. */
  total?: number;
}

/** A raw message of a progress stream, as the engine writes it. */
export interface JsonProgressMessage {
  /** Layer or step ID. */
  id?: string;
  /** Status text (pull, push, import). */
  status?: string;
  /** Output text (build, load). */
  stream?: string;
  /** Byte counts. */
  progressDetail?: {
    /** Bytes done. */
    current?: number;
    /** Bytes in all. */
    total?: number;
  };
  /** Structured extra data: build's `{ ID }`, push's `{ Tag, Digest, Size }`. */
  aux?: unknown;
  /** The failure, structured. */
  errorDetail?: {
    /** A code of the engine's choosing (an exit code for build steps), rarely an HTTP status. */
    code?: number;
    /** What went wrong. */
    message?: string;
  };
  /** The failure, as text (older engines). */
  error?: string;
}

/** Options of {@link readJsonProgress}. */
export interface JsonProgressOptions {
  /** Called for every message with a status or stream text. */
  onProgress?: (event: ProgressEvent) => void;
  /** Called with every raw message (for callers that need fields we do not map). */
  onMessage?: (message: JsonProgressMessage) => void;
  /** Stops reading and destroys the body; the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /**
   * Builds the error for an in-stream failure (default: classified by its message, e.g.
   * "manifest unknown" is NotFoundError). A build passes one that makes a BuildError.
   */
  toError?: (message: string, detail: { code?: number; messages: readonly JsonProgressMessage[] }) => Error;
}

/** What a completed progress stream produced. */
export interface JsonProgressResult {
  /** Every `aux` payload, in order (build: `{ ID: 'sha256:...' }`). */
  aux: unknown[];
  /** Every `stream` text, in order (build output, `Loaded image: ...`). */
  streams: string[];
  /** The last status text seen (import reports the new image ID there). */
  lastStatus?: string;
  /** How many messages were read. */
  count: number;
}

/**
 * Consumes a JSON progress stream to its end.
 *
 * @example
 * ```ts
 * const body = await client.stream('POST', '/images/create', { query: { fromImage: 'busybox', tag: 'latest' } });
 * await readJsonProgress(body, { onProgress: (p) => console.log(p.id, p.status, p.current, p.total) });
 * ```
 * @throws the typed error for `errorDetail`/`error`; AbortError when `signal` fires.
 */
export async function readJsonProgress(body: Readable, options: JsonProgressOptions = {}): Promise<JsonProgressResult> {
  const { signal } = options;
  const result: JsonProgressResult = { aux: [], streams: [], count: 0 };
  // Failures often follow the step output that explains them; keep a short tail for context.
  const recent: JsonProgressMessage[] = [];
  const splitter = new JsonObjectSplitter();
  let reported: Error | undefined;
  const onAbort = (): void => {
    body.destroy(abortErrorFrom(signal!));
  };
  try {
    throwIfAborted(signal);
    signal?.addEventListener('abort', onAbort, { once: true });
    for await (const chunk of body) {
      for (const value of splitter.push(chunk as Buffer)) {
        const message = (typeof value === 'object' && value !== null ? value : {}) as JsonProgressMessage;
        result.count++;
        recent.push(message);
        if (recent.length > 20) recent.shift();
        options.onMessage?.(message);
        const failure = failureOf(message);
        if (failure !== undefined) {
          body.destroy();
          reported = (options.toError ?? defaultError)(failure.message, { ...(failure.code === undefined ? {} : { code: failure.code }), messages: recent });
          throw reported;
        }
        record(message, result, options.onProgress);
      }
    }
    splitter.end();
    return result;
  } catch (error) {
    if (reported !== undefined && error === reported) throw error;
    if (signal?.aborted) throw abortErrorFrom(signal);
    throw transportError(error, { method: 'STREAM', path: 'progress' }, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function failureOf(message: JsonProgressMessage): { message: string; code?: number } | undefined {
  if (message.errorDetail !== undefined || message.error !== undefined) {
    const text = message.errorDetail?.message ?? message.error ?? 'Docker Engine reported an error';
    const code = message.errorDetail?.code;
    return typeof code === 'number' ? { message: text, code } : { message: text };
  }
  return undefined;
}

function defaultError(message: string, detail: { code?: number }): StowageError {
  // errorDetail.code is rarely an HTTP status; only trust it when it looks like one.
  const status = detail.code !== undefined && detail.code >= 400 && detail.code < 600 ? detail.code : 500;
  const { code, reason } = classifyEngineMessage(status, message);
  const details: Record<string, unknown> = { message, ...(reason ? { reason } : {}), ...(detail.code !== undefined ? { engineCode: detail.code } : {}) };
  return errorForCode(code, message, details);
}

function record(message: JsonProgressMessage, result: JsonProgressResult, onProgress: JsonProgressOptions['onProgress']): void {
  if (message.aux !== undefined) result.aux.push(message.aux);
  let status: string | undefined;
  if (typeof message.stream === 'string') {
    result.streams.push(message.stream);
    status = message.stream.replace(/\r?\n$/, '');
    // Build sends bare newlines between steps; they carry nothing to report.
    if (status.trim() === '') status = undefined;
  } else if (typeof message.status === 'string') {
    status = message.status;
    result.lastStatus = status;
  }
  if (status === undefined || !onProgress) return;
  const event: ProgressEvent = { status };
  if (typeof message.id === 'string' && message.id !== '') event.id = message.id;
  const current = message.progressDetail?.current;
  const total = message.progressDetail?.total;
  if (typeof current === 'number') event.current = current;
  if (typeof total === 'number' && total > 0) event.total = total;
  onProgress(event);
}
