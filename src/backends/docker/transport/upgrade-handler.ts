/**
 * An undici dispatch handler for `Upgrade: tcp` requests that keeps the engine's error.
 *
 * undici's own `upgrade()` turns any non-101 answer into a bare "bad upgrade" socket error,
 * losing the status and the engine's message (a 404 for a missing container, a 409 for a
 * stopped one). This handler reads such an answer to the end and rejects with the typed error.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { abortErrorFrom } from '../../../core/errors.js';
import { engineErrorFromResponse, transportError } from './engine-errors.js';
import type { EngineRequestContext } from './engine-errors.js';

/** What the handler resolves with: the socket after `101` and its headers. */
export interface UpgradedConnection {
  /** The raw connection, detached from undici. */
  socket: Duplex;
  /** Headers of the 101 response. */
  headers: Record<string, string | string[] | undefined>;
}

const errorBodyLimit = 64 * 1024;

/** Dispatch handler settling one promise: resolve on upgrade, reject with a typed error. */
export class UpgradeRequestHandler implements Dispatcher.DispatchHandler {
  #context: EngineRequestContext;
  #signal: AbortSignal | undefined;
  #resolve: (result: UpgradedConnection) => void;
  #reject: (error: unknown) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #body: Buffer[] = [];
  #bodySize = 0;
  #settled = false;
  #onAbort = (): void => {
    this.#controller?.abort(abortErrorFrom(this.#signal!));
  };

  constructor(
    context: EngineRequestContext,
    signal: AbortSignal | undefined,
    resolve: (result: UpgradedConnection) => void,
    reject: (error: unknown) => void,
  ) {
    this.#context = context;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** undici: the request is about to be written. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal?.aborted) controller.abort(abortErrorFrom(this.#signal));
  }

  /** undici: `101 Switching Protocols`; the socket is ours now. */
  onRequestUpgrade(_controller: Dispatcher.DispatchController, _status: number, headers: Record<string, string | string[] | undefined>, socket: Duplex): void {
    if (this.#settle()) this.#resolve({ socket, headers });
    else socket.destroy();
  }

  /** undici: an ordinary answer, so the engine refused to upgrade. */
  onResponseStart(_controller: Dispatcher.DispatchController, status: number): void {
    this.#status = status;
  }

  /** undici: a chunk of the refusal's body (kept up to a limit for the message). */
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#bodySize >= errorBodyLimit) return;
    const part = chunk.subarray(0, errorBodyLimit - this.#bodySize);
    this.#body.push(part);
    this.#bodySize += part.length;
  }

  /** undici: the refusal is complete. */
  onResponseEnd(): void {
    if (!this.#settle()) return;
    const status = this.#status >= 300 ? this.#status : 502;
    const text = Buffer.concat(this.#body).toString('utf8');
    const message = this.#status >= 300 ? text : `Docker Engine answered ${this.#status} instead of upgrading the connection`;
    this.#reject(engineErrorFromResponse(status, message, this.#context));
  }

  /** undici: the request failed below HTTP, or was aborted. */
  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.#settle()) this.#reject(transportError(error, this.#context, this.#signal));
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }
}
